// The camera and microphone chosen in the device check, kept in localStorage for the calls.
const DEVICES_KEY = "helpcall.devices";

export function loadDevicePrefs() {
  try {
    return JSON.parse(localStorage.getItem(DEVICES_KEY) || "{}");
  } catch {
    return {};
  }
}

export function saveDevicePrefs(prefs) {
  localStorage.setItem(DEVICES_KEY, JSON.stringify(prefs));
}

export function mediaConstraints(prefs = loadDevicePrefs()) {
  return {
    audio: prefs.audioinput ? { deviceId: { ideal: prefs.audioinput } } : true,
    video: prefs.videoinput ? { deviceId: { ideal: prefs.videoinput } } : true,
  };
}
