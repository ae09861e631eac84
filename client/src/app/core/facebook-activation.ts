import { DOCUMENT, DestroyRef, inject, signal } from '@angular/core';
import {
  type FacebookActivationMessage,
  acceptActivationMessage,
  describeActivationOutcome,
  isActivationSuccess,
} from '@parley/libs/shared/facebook-activation.js';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { StartFacebookActivationDocument } from '../graphql/generated';
import { describeError } from './graphql/errors';

/** The popup's window name and size (agreed with the server's callback pages). */
export const ACTIVATION_WINDOW = 'parley-facebook';
const ACTIVATION_FEATURES = 'popup,width=600,height=720';
/** How often a waiting flow looks whether the person closed the popup. */
const CLOSED_POLL_MS = 1000;

/** Where the "Activate with Facebook" flow of one campaign stands, in words the screen shows as they are. */
export type ActivationState =
  | { kind: 'idle' }
  /** Asking Parley for the Facebook address; the popup is open on a blank page. */
  | { kind: 'starting' }
  /** The popup shows Facebook; its last page will post the outcome. */
  | { kind: 'waiting' }
  /** The browser refused the popup: the person opens `url` themselves. */
  | { kind: 'blocked'; url: string }
  /** The popup was closed without an outcome (or the browser hid it from us). */
  | { kind: 'closed' }
  /** Parley refused to start (not an admin, not a Messenger campaign, unreachable). */
  | { kind: 'error'; message: string }
  | { kind: 'done'; success: boolean; outcome: FacebookActivationMessage['outcome']; message: string };

/**
 * "Activate with Facebook" for one campaign: opens the popup, asks Parley for Facebook's address, and
 * listens for the popup's answer. The campaign's own state (page, token status) arrives by
 * campaignChanged; this only tells how the attempt went. Create it in an injection context (a
 * component field); it stops listening with its component.
 */
export class FacebookActivationFlow {
  private readonly apollo = inject(Apollo);
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly stateSignal = signal<ActivationState>({ kind: 'idle' });
  private campaignId: string | null = null;
  private popup: Window | null = null;
  private closedPoll: ReturnType<typeof setInterval> | undefined;
  /** Bumped by each start: an older mutation's answer must not steer a newer attempt. */
  private attempt = 0;

  readonly state = this.stateSignal.asReadonly();
  /** Called with the popup's message, once accepted. */
  onOutcome: ((message: FacebookActivationMessage) => void) | null = null;

  constructor() {
    const listener = (event: MessageEvent) => this.receive(event);
    this.window?.addEventListener('message', listener);
    inject(DestroyRef).onDestroy(() => {
      this.window?.removeEventListener('message', listener);
      this.stopWatchingPopup();
    });
  }

  /**
   * Call straight from the click handler: the popup is opened before anything is awaited, because
   * browsers block popups opened later; it gets Facebook's address once Parley answers.
   */
  start(campaignId: string): void {
    const attempt = ++this.attempt;
    this.campaignId = campaignId;
    this.stopWatchingPopup();
    // A fresh window each time: reusing the named one (it went to Facebook and back) would go to
    // Facebook from a page that is not the initial blank one, and the browser would then cut the
    // popup off from the console (Cross-Origin-Opener-Policy), so its answer would never arrive.
    this.closePopup();
    this.popup = this.window?.open('about:blank', ACTIVATION_WINDOW, ACTIVATION_FEATURES) ?? null;
    this.stateSignal.set({ kind: 'starting' });
    void this.begin(campaignId, attempt);
  }

  /** Forgets the attempt's outcome (the screen no longer shows it). */
  reset(): void {
    this.attempt++;
    this.stopWatchingPopup();
    this.stateSignal.set({ kind: 'idle' });
  }

  private async begin(campaignId: string, attempt: number): Promise<void> {
    let url: string;
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: StartFacebookActivationDocument, variables: { campaignId } }),
      );
      const answer = result.data?.startFacebookActivation;
      if (!answer) throw new Error('The Parley server did not return the Facebook address.');
      url = answer.authorizeUrl;
    } catch (error) {
      if (attempt !== this.attempt) return;
      this.closePopup();
      this.stateSignal.set({
        kind: 'error',
        message: `Could not start the activation: ${describeError(error)}`,
      });
      return;
    }
    if (attempt !== this.attempt) return;
    const popup = this.popup;
    if (!popup || popup.closed) {
      this.popup = null;
      this.stateSignal.set({ kind: 'blocked', url });
      return;
    }
    popup.location.href = url;
    popup.focus();
    this.stateSignal.set({ kind: 'waiting' });
    this.watchPopup(popup, attempt);
  }

  private receive(event: MessageEvent): void {
    const kind = this.stateSignal().kind;
    // Only an attempt started here expects an answer (another screen may have its own).
    if (!this.campaignId || !this.window || !['starting', 'waiting', 'blocked', 'closed'].includes(kind))
      return;
    const message = acceptActivationMessage(event, {
      origin: this.window.location.origin,
      campaignId: this.campaignId,
    });
    if (!message) return;
    this.attempt++;
    this.stopWatchingPopup();
    this.stateSignal.set({
      kind: 'done',
      success: isActivationSuccess(message.outcome),
      outcome: message.outcome,
      message: describeActivationOutcome(message),
    });
    this.onOutcome?.(message);
  }

  /** A popup closed without an answer: say so, rather than wait forever. */
  private watchPopup(popup: Window, attempt: number): void {
    this.closedPoll = setInterval(() => {
      if (attempt !== this.attempt) return this.stopWatchingPopup();
      if (!popup.closed) return;
      this.stopWatchingPopup();
      // A message may still be on its way (the popup closes itself right after posting it).
      setTimeout(() => {
        if (attempt === this.attempt && this.stateSignal().kind === 'waiting') {
          this.stateSignal.set({ kind: 'closed' });
        }
      }, 500);
    }, CLOSED_POLL_MS);
  }

  private stopWatchingPopup(): void {
    clearInterval(this.closedPoll);
    this.closedPoll = undefined;
  }

  private closePopup(): void {
    if (this.popup && !this.popup.closed) this.popup.close();
    this.popup = null;
  }
}
