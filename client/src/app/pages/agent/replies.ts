import { Injectable, inject } from '@angular/core';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import {
  AgentMarkSeenDocument,
  AgentMarkTypingDocument,
  type AgentMessageFragment,
  AgentSendMessageDocument,
  type AttachmentInput,
} from '../../graphql/generated';

/** The server sends at most one "typing…" per 5 s anyway: asking more often only costs requests. */
const TYPING_EVERY_MS = 4000;

/** What the agent sends to the customer: replies, and the "typing…" and "seen" signs of Messenger. */
@Injectable({ providedIn: 'root' })
export class Replies {
  private readonly apollo = inject(Apollo);
  private readonly lastTyping = new Map<string, number>();

  /** Stores the reply (PENDING) and answers it at once; throws with the server's words. */
  async send(
    interactionId: string,
    text: string | null,
    attachments: readonly AttachmentInput[],
  ): Promise<AgentMessageFragment> {
    const result = await firstValueFrom(
      this.apollo.mutate({
        mutation: AgentSendMessageDocument,
        variables: { interactionId, text, attachments: attachments.length ? [...attachments] : null },
      }),
    );
    const message = result.data?.sendMessage;
    if (!message) throw new Error('The Parley server did not confirm the reply.');
    return message;
  }

  /**
   * The customer sees "typing…". Best effort, like Messenger's own: a failure is not worth the
   * agent's attention (the reply itself says if the page or the window is the problem).
   */
  typing(interactionId: string): void {
    const now = Date.now();
    if (now - (this.lastTyping.get(interactionId) ?? 0) < TYPING_EVERY_MS) return;
    this.lastTyping.set(interactionId, now);
    this.apollo
      .mutate({ mutation: AgentMarkTypingDocument, variables: { interactionId } })
      .subscribe({ error: () => undefined });
  }

  /** The customer sees their messages were read (best effort, as typing). */
  seen(interactionId: string): void {
    this.apollo
      .mutate({ mutation: AgentMarkSeenDocument, variables: { interactionId } })
      .subscribe({ error: () => undefined });
  }
}
