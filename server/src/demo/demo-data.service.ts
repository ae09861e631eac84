import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { CampaignSettingsInput } from '@parley/libs/campaigns/campaign-rules.js';
import { Channel, RoutingStrategy, Weekday } from '@parley/libs/shared/campaigns.js';
import { Role } from '@parley/libs/shared/roles.js';
import { CampaignsService } from '../campaigns/campaigns.service.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { MembersService } from '../members/members.service.js';
import { UsersService } from '../members/users.service.js';

/** The people of the demo (README lists them). The admin comes from ADMIN_USERNAME/ADMIN_PASSWORD. */
export const DEMO_USERS = [
  {
    username: 'supervisor',
    displayName: 'Sofía Supervisor',
    password: 'quiet-meadow-compass',
    role: Role.SUPERVISOR,
  },
  { username: 'agent1', displayName: 'Ana Agent', password: 'amber-river-kettle', role: Role.AGENT },
  { username: 'agent2', displayName: 'Bruno Agent', password: 'silver-canyon-otter', role: Role.AGENT },
];

/**
 * The demo campaigns and who is in them. agent2 is in no VOICE campaign, so the members screen
 * shows the "receives no interactions" warning for them.
 */
export const DEMO_CAMPAIGNS: { settings: CampaignSettingsInput; members: string[] }[] = [
  {
    settings: {
      name: 'Support',
      channel: Channel.MESSENGER,
      strategy: RoutingStrategy.RRMEMORY,
      // Open around the clock, so the demo routes chats whenever someone tries it; a schedule
      // with hours is one edit away in the console, and the after-hours message is ready for it.
      schedule: [
        {
          days: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI, Weekday.SAT, Weekday.SUN],
          from: '00:00',
          to: '23:59',
        },
      ],
      afterHoursMessage: 'Thanks for writing! We are closed now; an agent will answer as soon as we open.',
      cannedResponses: [
        { title: 'Greeting', text: 'Hello! Thanks for contacting us. How can I help you today?' },
        { title: 'Closing', text: 'Is there anything else I can help you with? Have a great day!' },
      ],
    },
    members: ['agent1', 'agent2'],
  },
  { settings: { name: 'Voice team', channel: Channel.VOICE }, members: ['agent1'] },
];

/** With DEMO_DATA=true, fills an empty Parley with people and campaigns to try it with; never touches existing data. */
@Injectable()
export class DemoDataService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly users: UsersService,
    private readonly campaigns: CampaignsService,
    private readonly members: MembersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    if (!this.config.demoData) return;
    const existing = new Set((await this.users.list(null, true)).map((u) => u.username));
    for (const user of DEMO_USERS) {
      if (existing.has(user.username)) continue;
      await this.users.create(user);
      this.logger.log(`Demo user "${user.username}" created`);
    }
    await this.createCampaigns();
  }

  /** Only into a Parley without campaigns: once an admin has any, theirs are left as they are (deleted ones stay deleted). */
  private async createCampaigns() {
    if ((await this.campaigns.list('all')).length) return;
    const users = await this.users.list(null, true);
    for (const { settings, members } of DEMO_CAMPAIGNS) {
      let campaign;
      try {
        campaign = await this.campaigns.create(settings);
      } catch (error) {
        // Another instance starting at the same moment created it first.
        if (error instanceof ParleyError && error.details.field === 'name') continue;
        throw error;
      }
      const userIds = members.flatMap((username) => {
        const user = users.find((u) => u.username === username && u.active && u.role === Role.AGENT);
        return user ? [user.id] : [];
      });
      if (userIds.length) await this.members.add([campaign.id], userIds);
      this.logger.log(`Demo campaign "${campaign.name}" created`);
    }
  }
}
