import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../../core/auth/auth.service';
import { describeError } from '../../../core/graphql/errors';
import { idSet } from '../../../core/id-set';
import { LiveCollection, liveChanges } from '../../../core/live-collection';
import { ROLES, ROLE_LABELS } from '../../../core/roles';
import {
  DeactivateUserDocument,
  LiftSignInLockoutDocument,
  ReactivateUserDocument,
  type Role,
  UserChangedDocument,
  type UserRowFragment,
  UsersDocument,
} from '../../../graphql/generated';
import { confirm } from '../../../ui/confirm-dialog';
import { ErrorMessage } from '../../../ui/error-message';
import { LoadErrors } from '../../../ui/load-errors';
import { PresenceIcon } from '../../../ui/presence-icon';
import { RoleLabelPipe } from '../../../ui/role-label.pipe';
import { NewUserDialog } from './new-user-dialog';
import { ResetPasswordDialog } from './reset-password-dialog';

type RoleFilter = Role | 'ALL';

/**
 * Admin: every user, their role and live presence; creates, deactivates and reactivates users,
 * resets passwords and lifts sign-in lockouts.
 */
@Component({
  selector: 'app-users',
  imports: [
    DatePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    ErrorMessage,
    LoadErrors,
    PresenceIcon,
    RoleLabelPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './users.html',
  styleUrl: './users.scss',
})
export class UsersPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly roles = ROLES;
  protected readonly columns = ['username', 'displayName', 'role', 'presence', 'actions'];
  private readonly me = inject(AuthService).user;
  /** Nobody deactivates themselves (the server refuses it too). */
  protected readonly myId = computed(() => this.me()?.id ?? null);
  protected readonly roleFilter = signal<RoleFilter>('ALL');
  protected readonly actionError = signal<string | null>(null);
  /** Ids of users with a change on its way: their buttons are disabled meanwhile. */
  protected readonly busy = idSet();

  protected readonly users = new LiveCollection<UserRowFragment>({
    what: 'users',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({ query: UsersDocument, fetchPolicy: 'network-only' }),
      );
      return result.data?.users;
    },
    changes: () =>
      this.apollo
        .subscribe({ query: UserChangedDocument })
        .pipe(liveChanges((data) => ({ upsert: data.userChanged }))),
  });

  protected readonly rows = computed(() => {
    const filter = this.roleFilter();
    return this.users
      .items()
      .filter((user) => filter === 'ALL' || user.role === filter)
      .sort((a, b) => a.username.localeCompare(b.username));
  });
  protected readonly emptyText = computed(() => {
    const filter = this.roleFilter();
    if (this.users.items().length === 0 || filter === 'ALL') return this.users.placeholder('No users yet.');
    return `No user has the role ${ROLE_LABELS[filter]}.`;
  });
  protected readonly trackById = (_index: number, user: UserRowFragment): string => user.id;

  openNewUser(): void {
    this.dialog
      .open<NewUserDialog, void, UserRowFragment>(NewUserDialog, {
        width: '480px',
        autoFocus: 'first-tabbable',
      })
      .afterClosed()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((user) => {
        if (!user) return;
        this.users.upsert(user);
        this.snackBar.open(`User ${user.username} created`, 'OK');
      });
  }

  resetPassword(user: UserRowFragment): void {
    this.actionError.set(null);
    this.dialog
      .open<ResetPasswordDialog, UserRowFragment, UserRowFragment>(ResetPasswordDialog, {
        data: user,
        width: '480px',
        autoFocus: 'first-tabbable',
      })
      .afterClosed()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((changed) => {
        if (changed) this.snackBar.open(`New password set for ${changed.username}`, 'OK');
      });
  }

  deactivate(user: UserRowFragment): void {
    this.actionError.set(null);
    confirm(this.dialog, {
      title: `Deactivate ${user.username}?`,
      message:
        `${user.displayName} will no longer be able to sign in, and is signed out everywhere at once. ` +
        'Their history stays; you can reactivate them later.',
      confirmLabel: 'Deactivate',
      danger: true,
    })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.setActive(user, false));
  }

  reactivate(user: UserRowFragment): void {
    this.actionError.set(null);
    confirm(this.dialog, {
      title: `Reactivate ${user.username}?`,
      message: `${user.displayName} will be able to sign in again with their password.`,
      confirmLabel: 'Reactivate',
    })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.setActive(user, true));
  }

  /** "Sign-in locked until 14:05 after too many failed attempts", for the row's lock icon. */
  protected lockedText(user: UserRowFragment): string {
    const until = user.signInLockedUntil ? new Date(user.signInLockedUntil) : null;
    const time = until?.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) ?? '';
    return `Sign-in locked until ${time} after too many failed attempts`;
  }

  /** Lets the user try again now, without waiting for the lockout to end. */
  async liftLockout(user: UserRowFragment): Promise<void> {
    this.actionError.set(null);
    this.busy.add(user.id);
    try {
      const changed = (
        await firstValueFrom(
          this.apollo.mutate({ mutation: LiftSignInLockoutDocument, variables: { userId: user.id } }),
        )
      ).data?.liftSignInLockout;
      if (!changed) throw new Error('The Parley server did not confirm the change.');
      this.users.upsert(changed);
      this.snackBar.open(`${changed.username} can sign in again`, 'OK');
    } catch (error) {
      this.actionError.set(`Could not lift the lockout of ${user.username}: ${describeError(error)}`);
    } finally {
      this.busy.delete(user.id);
    }
  }

  private async setActive(user: UserRowFragment, active: boolean): Promise<void> {
    this.busy.add(user.id);
    try {
      const variables = { id: user.id };
      const changed = active
        ? (await firstValueFrom(this.apollo.mutate({ mutation: ReactivateUserDocument, variables }))).data
            ?.reactivateUser
        : (await firstValueFrom(this.apollo.mutate({ mutation: DeactivateUserDocument, variables }))).data
            ?.deactivateUser;
      if (!changed) throw new Error('The Parley server did not confirm the change.');
      this.users.upsert(changed);
      this.snackBar.open(`User ${changed.username} ${active ? 'reactivated' : 'deactivated'}`, 'OK');
    } catch (error) {
      this.actionError.set(
        `Could not ${active ? 'reactivate' : 'deactivate'} ${user.username}: ${describeError(error)}`,
      );
    } finally {
      this.busy.delete(user.id);
    }
  }
}
