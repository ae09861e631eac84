import { Injectable, signal } from '@angular/core';

/**
 * How a new offer gets the agent's attention: a short beep (WebAudio, no sound file to fetch) and a
 * browser notification. Browsers allow both only after the person did something on the page, so
 * `prepare()` is called from a click (choosing a presence): it unlocks the sound and asks for the
 * permission to notify once. A refusal is fine: the offer still shows, with its sound.
 */
@Injectable({ providedIn: 'root' })
export class OfferAlerts {
  private audio: AudioContext | null = null;
  readonly permission = signal<NotificationPermission | 'unsupported'>(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );

  /** From a user gesture: unlock the sound, and ask to notify if never asked. */
  prepare(): void {
    try {
      this.audio ??= new AudioContext();
      if (this.audio.state === 'suspended') void this.audio.resume();
    } catch {
      // No WebAudio: offers come without a sound.
    }
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
      void Notification.requestPermission().then((answer) => this.permission.set(answer));
    }
  }

  /** A new offer: beep, and notify when the page is not what the agent is looking at. */
  offer(title: string, body: string, onClick: () => void): void {
    this.beep();
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    try {
      const notification = new Notification(title, { body, tag: 'parley-offer', requireInteraction: false });
      notification.onclick = () => {
        window.focus();
        onClick();
        notification.close();
      };
    } catch {
      // Some browsers only notify through a service worker: the beep and the screen remain.
    }
  }

  private beep(): void {
    const audio = this.audio;
    if (!audio || audio.state !== 'running') return;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = 880;
    const start = audio.currentTime;
    // A soft 0.25 s tone, twice, without clicks at the edges.
    gain.gain.setValueAtTime(0, start);
    for (const at of [0, 0.35]) {
      gain.gain.linearRampToValueAtTime(0.2, start + at + 0.02);
      gain.gain.linearRampToValueAtTime(0, start + at + 0.25);
    }
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.65);
  }
}
