import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Role } from '@parley/libs/shared/roles.js';
import type { Principal } from '../infrastructure/access/access.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { Transactions } from '../infrastructure/events/after-commit.js';
import { ContactsService } from '../messenger/contacts/contacts.service.js';
import { type AttachmentDraft, OutboundMessages } from '../messenger/outbound/outbound-messages.service.js';
import { type SenderAction, SenderActions } from '../messenger/outbound/sender-actions.service.js';

interface Conversation {
  id: string;
  contactId: string;
  agentId: string | null;
  status: string;
}

const isRetryable = (error: unknown): boolean => {
  const e = error as { errno?: number; driverError?: { errno?: number } };
  const errno = e?.errno ?? e?.driverError?.errno;
  return errno === 1213 || errno === 1205; // deadlock, lock wait timeout
};

/**
 * What the agent handling an interaction says to its customer: replies (stored PENDING and sent by
 * messenger's send job), typing indicators and seen marks. Only that agent, and only while the
 * interaction is ACTIVE; routing owns that rule, messenger the messages.
 */
@Injectable()
export class RepliesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly contacts: ContactsService,
    private readonly outbound: OutboundMessages,
    private readonly senderActions: SenderActions,
  ) {}

  private async conversation(em: Pick<EntityManager, 'query'>, id: string, lock = false) {
    const [row] = (await em.query(
      `SELECT id, contactId, agentId, status FROM interactions WHERE id = ?${lock ? ' FOR UPDATE' : ''}`,
      [id],
    )) as Conversation[];
    if (!row) throw ParleyError.notFound('Interaction', id);
    return row;
  }

  /** FORBIDDEN unless the caller is its agent; CONFLICT unless it is ACTIVE. */
  private assertHandles(principal: Principal, interaction: Conversation, doing: string) {
    if (principal.kind !== 'user' || interaction.agentId !== principal.userId) {
      throw ParleyError.forbidden(`Only the agent handling this interaction can ${doing}`);
    }
    if (interaction.status !== 'ACTIVE') {
      throw new ParleyError(
        ErrorCode.CONFLICT,
        `Only an ACTIVE interaction can ${doing}; this one is ${interaction.status}`,
      );
    }
  }

  /**
   * Stores the agent's reply PENDING and answers its id; the send job sends it after commit. The
   * contact row is locked first (as ingest does), then the interaction, so the checks hold until
   * the commit and replies to one customer get their order. The first reply sets firstResponseAt.
   */
  async send(
    principal: Principal,
    interactionId: string,
    text: string | null | undefined,
    attachments: readonly AttachmentDraft[] | null | undefined,
  ): Promise<string> {
    const seen = await this.conversation(this.dataSource, interactionId);
    this.assertHandles(principal, seen, 'reply');
    const draft = await this.outbound.draft(text, attachments);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactions.run(async (uow) => {
          await this.contacts.lock(uow.em, seen.contactId);
          const interaction = await this.conversation(uow.em, interactionId, true);
          this.assertHandles(principal, interaction, 'reply');
          const refusal = await this.outbound.refusal(uow.em, interaction.contactId);
          if (refusal) {
            throw new ParleyError(ErrorCode.BAD_USER_INPUT, `Messenger allows no reply now: ${refusal}`, {
              field: 'interactionId',
              reason: 'REPLY_WINDOW_CLOSED',
            });
          }
          const [contact] = (await uow.em.query('SELECT pageId FROM contacts WHERE id = ?', [
            interaction.contactId,
          ])) as { pageId: string }[];
          const id = await this.outbound.queue(uow, {
            interactionId,
            contactId: interaction.contactId,
            pageId: contact.pageId,
            text: draft.text,
            attachments: draft.attachments,
            sentByUserId: (principal as { userId: string }).userId,
          });
          await uow.em.query(
            'UPDATE interactions SET firstResponseAt = COALESCE(firstResponseAt, NOW(3)) WHERE id = ?',
            [interactionId],
          );
          return id;
        });
      } catch (error) {
        if (!isRetryable(error) || attempt >= 4) throw error;
      }
    }
  }

  /** typing_on / mark_seen for the agent's own ACTIVE interaction; false when throttled or not possible now. */
  async senderAction(principal: Principal, interactionId: string, action: SenderAction): Promise<boolean> {
    const interaction = await this.conversation(this.dataSource, interactionId);
    this.assertHandles(principal, interaction, action === 'typing_on' ? 'show typing' : 'mark it seen');
    return this.senderActions.send({ interactionId, contactId: interaction.contactId }, action);
  }

  /**
   * Whether the caller may follow this interaction's messages: admins and supervisors always, an
   * agent while it is theirs (it stops when transferred away). NOT_FOUND for an unknown one.
   */
  async mayWatch(principal: Principal, interactionId: string): Promise<boolean> {
    const interaction = await this.conversation(this.dataSource, interactionId);
    if (principal.role === Role.ADMIN || principal.role === Role.SUPERVISOR) return true;
    return principal.kind === 'user' && interaction.agentId === principal.userId;
  }
}
