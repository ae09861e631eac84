import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatIconModule } from '@angular/material/icon';
import { map } from 'rxjs';
import { ErrorMessage } from '../../ui/error-message';
import { COMPACT_LAYOUT } from '../../shell/shell';
import { AgentDesk } from './agent-desk';
import { OfferAlerts } from './alerts';
import { ConversationPane } from './conversation';
import { AgentInbox } from './inbox';
import { PresenceSelector } from './presence-selector';

/**
 * The agent's whole day on one screen: presence, the inbox and the open conversation side by side on
 * a laptop; on a tablet or a phone one above the other, the inbox giving way to the open chat.
 */
@Component({
  selector: 'app-agent-page',
  imports: [MatIconModule, ErrorMessage, AgentInbox, ConversationPane, PresenceSelector],
  providers: [AgentDesk],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './agent.html',
  styleUrl: './agent.scss',
  host: { '[class.compact]': 'compact()' },
})
export class AgentPage {
  protected readonly desk = inject(AgentDesk);
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe(COMPACT_LAYOUT)
      .pipe(map((state) => state.matches)),
    { initialValue: matchMedia(COMPACT_LAYOUT).matches },
  );
  /** Compact layout: the inbox shows until a chat is opened, then the chat (with a way back). */
  protected readonly showInbox = computed(() => !this.compact() || this.desk.selectedId() === null);
  protected readonly showConversation = computed(() => !this.compact() || this.desk.selectedId() !== null);
  protected readonly summary = computed(() => {
    const offers = this.desk.offers().length;
    const active = this.desk.active().length;
    return `${offers} ${offers === 1 ? 'offer' : 'offers'} · ${active} active`;
  });

  constructor() {
    // After a reload the agent may be Available already and never open the presence menu again:
    // their first click or key anywhere on the screen unlocks the offers' sound instead.
    const alerts = inject(OfferAlerts);
    const unlock = () => {
      alerts.prepare();
      stop();
    };
    const stop = () => {
      document.removeEventListener('pointerdown', unlock, true);
      document.removeEventListener('keydown', unlock, true);
    };
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
    inject(DestroyRef).onDestroy(stop);
  }
}
