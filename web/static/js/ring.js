// The ring of an incoming call, synthesised with WebAudio (no sound file to serve).
// Browsers only let a page make sound after a gesture: `unlock()` runs on a click.
export class Ringer {
  constructor() {
    this.context = null;
    this.timer = null;
  }

  unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    this.context ||= new Context();
    this.context.resume().catch(() => {});
  }

  #burst(at) {
    const ctx = this.context;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.2, at + 0.02);
    gain.gain.setValueAtTime(0.2, at + 0.38);
    gain.gain.linearRampToValueAtTime(0, at + 0.4);
    gain.connect(ctx.destination);
    for (const frequency of [440, 480]) {
      const tone = ctx.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(at);
      tone.stop(at + 0.42);
    }
  }

  start() {
    this.stop();
    if (!this.context) this.unlock();
    if (!this.context) return;
    const ring = () => {
      const now = this.context.currentTime;
      this.#burst(now);
      this.#burst(now + 0.6);
    };
    ring();
    this.timer = setInterval(ring, 3000);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  get ringing() {
    return this.timer !== null;
  }
}
