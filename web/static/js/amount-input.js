// "12,50" or "12.50" -> 1250 cents, without floating-point surprises; null when unreadable.
export function toCents(text) {
  const match = String(text).trim().replace(",", ".").match(/^(\d{1,6})(?:\.(\d{1,2}))?$/);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || "0").padEnd(2, "0"));
}
