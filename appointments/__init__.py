"""Appointments: an expert's hours, booked slots with held funds, reminders and no-shows."""
