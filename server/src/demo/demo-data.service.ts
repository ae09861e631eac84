import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Role } from '@parley/libs/shared/roles.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { UsersService } from '../members/users.service.js';

/** The people of the demo (README lists them). The admin comes from ADMIN_USERNAME/ADMIN_PASSWORD. */
export const DEMO_USERS = [
  {
    username: 'supervisor',
    displayName: 'Sofía Supervisor',
    password: 'parley-supervisor',
    role: Role.SUPERVISOR,
  },
  { username: 'agent1', displayName: 'Ana Agent', password: 'parley-agent1', role: Role.AGENT },
  { username: 'agent2', displayName: 'Bruno Agent', password: 'parley-agent2', role: Role.AGENT },
];

/** With DEMO_DATA=true, fills an empty Parley with people to try it with; never touches existing data. */
@Injectable()
export class DemoDataService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');

  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    if (!this.config.demoData) return;
    const existing = new Set((await this.users.list()).map((u) => u.username));
    for (const user of DEMO_USERS) {
      if (existing.has(user.username)) continue;
      await this.users.create(user);
      this.logger.log(`Demo user "${user.username}" created`);
    }
  }
}
