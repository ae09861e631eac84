import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { type EntityManager, Repository } from 'typeorm';
import { FacebookConnectionService } from '../../campaigns/facebook/facebook-connection.service.js';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';
import { Transactions } from '../../infrastructure/events/after-commit.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobName } from '../../infrastructure/queues/queue-registry.js';
import { GraphError } from '../graph/graph-error.js';
import { GraphClient } from '../graph/graph.client.js';
import { MessageAnnouncements } from '../message-events.js';
import { ContactEntity } from './contact.entity.js';

/** Profile picture URLs expire: a contact's profile is read again on a message after this long. */
export const PROFILE_MAX_AGE_MS = 24 * 3600 * 1000;

/** What a contact is called before (or without) a profile: "Messenger user 1234", the PSID's last 4. */
export const placeholderName = (psid: string) => `Messenger user ${psid.slice(-4)}`;

/** Facebook's "No profile available for this user" (#100, subcode 2018218). */
const isNoProfile = (error: unknown) =>
  error instanceof GraphError && error.code === 100 && error.subcode === 2018218;

export interface ContactRef {
  id: string;
  /** Never read, or read more than PROFILE_MAX_AGE_MS ago. */
  profileStale: boolean;
}

/** Contacts: one per (page, PSID), named from the user profile API. */
@Injectable()
export class ContactsService {
  private readonly logger = new Logger('Contacts');

  constructor(
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
    private readonly connection: FacebookConnectionService,
    private readonly graph: GraphClient,
    private readonly transactions: Transactions,
    private readonly announce: MessageAnnouncements,
  ) {}

  /**
   * Inside a transaction: the contacts of these (page, PSID), created with the placeholder name if
   * new, and locked until the transaction ends (the upsert takes each row's exclusive lock either
   * way), in (page, PSID) order so that two transactions locking some of the same never deadlock.
   * INSERT … ON DUPLICATE KEY UPDATE, so workers racing on a new customer end with one row. Keyed
   * by `${pageId}\u0000${psid}`.
   */
  async ensureLocked(
    em: EntityManager,
    who: { pageId: string; psid: string }[],
  ): Promise<Map<string, ContactRef>> {
    const key = (pageId: string, psid: string) => `${pageId}\u0000${psid}`;
    const unique = [...new Map(who.map((c) => [key(c.pageId, c.psid), c])).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, c]) => c);
    const found = new Map<string, ContactRef>();
    if (!unique.length) return found;
    // MariaDB's RETURNING answers the stored row for a duplicate too: one statement, not two.
    const rows = (await em.query(
      `INSERT INTO contacts (id, pageId, psid, name) VALUES ${unique.map(() => '(?, ?, ?, ?)').join(', ')}
       ON DUPLICATE KEY UPDATE id = id RETURNING id, pageId, psid, profileFetchedAt`,
      unique.flatMap((c) => [randomUUID(), c.pageId, c.psid, placeholderName(c.psid)]),
    )) as { id: string; pageId: string; psid: string; profileFetchedAt: Date | null }[];
    for (const row of rows) {
      found.set(key(row.pageId, row.psid), {
        id: row.id,
        profileStale:
          !row.profileFetchedAt || Date.now() - row.profileFetchedAt.getTime() > PROFILE_MAX_AGE_MS,
      });
    }
    return found;
  }

  /**
   * Locks the contact row until the transaction ends: every change to one conversation happens
   * under this lock, so several workers apply its events one at a time.
   */
  async lock(em: EntityManager, contactId: string): Promise<void> {
    await em.query('SELECT id FROM contacts WHERE id = ? FOR UPDATE', [contactId]);
  }

  @JobHandler(JobName.FetchContactProfile)
  async fetchProfile({ contactId, campaignId }: { contactId: string; campaignId: string }): Promise<string> {
    const contact = await this.contacts.findOneBy({ id: contactId });
    if (!contact) return 'gone';
    if (contact.profileFetchedAt && Date.now() - contact.profileFetchedAt.getTime() <= PROFILE_MAX_AGE_MS)
      return 'fresh';
    try {
      const profile = await this.connection.withPageToken(campaignId, (token) =>
        this.graph.profile(contact.psid, token),
      );
      const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ').trim();
      await this.transactions.run(async (uow) => {
        await uow.em.update(ContactEntity, contactId, {
          name: (name || placeholderName(contact.psid)).slice(0, 200),
          firstName: profile.firstName?.slice(0, 100) ?? null,
          lastName: profile.lastName?.slice(0, 100) ?? null,
          profilePicUrl: profile.profilePic && profile.profilePic.length <= 2000 ? profile.profilePic : null,
          hasProfile: true,
          profileFetchedAt: new Date(),
        });
        // An offer can reach the agent before the profile does: it then showed the placeholder.
        await this.announce.contact(uow, contactId);
      });
      return 'read';
    } catch (error) {
      if (isNoProfile(error)) {
        await this.contacts.update(contactId, { hasProfile: false, profileFetchedAt: new Date() });
        return 'no-profile';
      }
      if (error instanceof ParleyError || (error instanceof GraphError && !error.isTransient)) {
        // No page connected any more, or a refusal retrying cannot change: keep the placeholder.
        this.logger.warn(`Profile of contact ${contactId} not read: ${error.message}`);
        return 'skipped';
      }
      throw error;
    }
  }
}
