/**
 * What the campaigns module needs to know about memberships, which the members module owns and
 * provides (members depends on campaigns, so campaigns asks through this port, never their table).
 */
export abstract class CampaignMembershipLookup {
  /** Ids of the campaigns the user is a member of. */
  abstract campaignIdsOf(userId: string): Promise<string[]>;
}

/**
 * Whether a user is still an active ADMIN, which the members module owns and provides: the
 * Facebook popup is authorised by a state issued to an admin minutes before, and re-checks at
 * the moment it writes.
 */
export abstract class ActiveAdminLookup {
  abstract isActiveAdmin(userId: string): Promise<boolean>;
}
