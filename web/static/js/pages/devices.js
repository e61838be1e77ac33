// The device check: camera preview, microphone level, and which devices calls use.
import { loadDevicePrefs, mediaConstraints, saveDevicePrefs } from "/static/js/device-prefs.js";
import { show, t } from "/static/js/page.js";

const root = document.getElementById("devices");
const preview = root.querySelector("[data-role=preview]");
const meter = document.getElementById("level");
const selects = [...root.querySelectorAll("select[data-kind]")];
const status = root.querySelector("[data-role=devices-status]");
const errorBox = root.querySelector("[data-role=devices-error]");
let stream = null;
let audio = null;

function stop() {
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
  audio?.close().catch(() => {});
  audio = null;
}

function chosen() {
  return Object.fromEntries(selects.map((select) => [select.dataset.kind, select.value || null]));
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const prefs = loadDevicePrefs();
  for (const select of selects) {
    const current = select.value || prefs[select.dataset.kind];
    const options = devices
      .filter((d) => d.kind === select.dataset.kind)
      .map((d, index) => new Option(d.label || t("devices.unnamed", { n: index + 1 }), d.deviceId));
    select.replaceChildren(...options);
    if (options.some((o) => o.value === current)) select.value = current;
  }
}

function measure(source) {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio = new Context();
  const analyser = audio.createAnalyser();
  analyser.fftSize = 512;
  audio.createMediaStreamSource(source).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const context = audio;
  const loop = () => {
    if (audio !== context) return;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    meter.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
    requestAnimationFrame(loop);
  };
  loop();
}

async function start() {
  stop();
  show(errorBox, false);
  show(root.querySelector("[data-role=camera-help-box]"), false);
  try {
    const prefs = { ...loadDevicePrefs(), ...chosen() };
    stream = await navigator.mediaDevices.getUserMedia(mediaConstraints(prefs));
  } catch (error) {
    errorBox.textContent = t(error.name === "NotAllowedError" ? "devices.refused" : "devices.failed");
    show(errorBox);
    show(root.querySelector("[data-role=camera-help-box]"));
    return;
  }
  preview.srcObject = stream;
  preview.play().catch(() => {});
  measure(stream);
  await listDevices();
  status.textContent = t("devices.working");
}

root.querySelector("[data-action=start]").addEventListener("click", start);
root.querySelector("[data-action=save]").addEventListener("click", () => {
  saveDevicePrefs(chosen());
  status.textContent = t("devices.saved");
});
for (const select of selects) select.addEventListener("change", () => stream && start());
window.addEventListener("pagehide", stop);
listDevices().catch(() => {});
