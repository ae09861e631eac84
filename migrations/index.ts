import { Foundation1764057600000 } from './1764057600000-foundation.js';
import { Campaigns1764057700000 } from './1764057700000-campaigns.js';
import { UserSessionVersion1764057800000 } from './1764057800000-user-session-version.js';
import { NormalisedUsernames1764057900000 } from './1764057900000-normalised-usernames.js';
import { FacebookPageConnection1764058000000 } from './1764058000000-facebook-page-connection.js';
import { MessengerIngest1764058100000 } from './1764058100000-messenger-ingest.js';
import { Routing1764058200000 } from './1764058200000-routing.js';
import { AfterHours1764058300000 } from './1764058300000-after-hours.js';
import { QueuePosition1764058400000 } from './1764058400000-queue-position.js';
import { DeliveryUpkeep1764058500000 } from './1764058500000-delivery-upkeep.js';
import { OutboundSending1764058600000 } from './1764058600000-outbound-sending.js';
import { AgentCounters1764058700000 } from './1764058700000-agent-counters.js';

/** Every migration in order; listed explicitly so bundlers, tests and the built server agree. */
export const ALL_MIGRATIONS = [
  Foundation1764057600000,
  Campaigns1764057700000,
  UserSessionVersion1764057800000,
  NormalisedUsernames1764057900000,
  FacebookPageConnection1764058000000,
  MessengerIngest1764058100000,
  Routing1764058200000,
  AfterHours1764058300000,
  QueuePosition1764058400000,
  DeliveryUpkeep1764058500000,
  OutboundSending1764058600000,
  AgentCounters1764058700000,
];
