import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { Apollo } from 'apollo-angular';
import { filter, firstValueFrom } from 'rxjs';
import { describeError } from '../../../core/graphql/errors';
import { idSet } from '../../../core/id-set';
import { type LiveChange, LiveCollection, liveChanges } from '../../../core/live-collection';
import {
  ApiKeyChangedDocument,
  type ApiKeyRowFragment,
  ApiKeysDocument,
  RevokeApiKeyDocument,
} from '../../../graphql/generated';
import { confirm } from '../../../ui/confirm-dialog';
import { ErrorMessage } from '../../../ui/error-message';
import { LoadErrors } from '../../../ui/load-errors';
import { RoleLabelPipe } from '../../../ui/role-label.pipe';
import { ApiKeyCreatedDialog } from './api-key-created-dialog';
import { type CreatedApiKey, NewApiKeyDialog } from './new-api-key-dialog';

/** Admin: API keys for third-party tools, live; creates (showing the key once) and revokes them. */
@Component({
  selector: 'app-api-keys',
  imports: [
    DatePipe,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTableModule,
    ErrorMessage,
    LoadErrors,
    RoleLabelPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './api-keys.html',
  styleUrl: './api-keys.scss',
})
export class ApiKeysPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly columns = ['name', 'role', 'createdAt', 'lastUsedAt', 'actions'];
  protected readonly keys = new LiveCollection<ApiKeyRowFragment>({
    what: 'API keys',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({ query: ApiKeysDocument, fetchPolicy: 'network-only' }),
      );
      return result.data?.apiKeys;
    },
    // Keys created or revoked by another admin, or by a tool with an ADMIN key.
    changes: () =>
      this.apollo
        .subscribe({ query: ApiKeyChangedDocument })
        .pipe(
          liveChanges(({ apiKeyChanged: { revoked, ...key } }): LiveChange<ApiKeyRowFragment> =>
            revoked ? { remove: key.id } : { upsert: key },
          ),
        ),
  });
  /** Newest first, like the server's list. */
  protected readonly rows = computed(() =>
    [...this.keys.items()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)),
  );
  protected readonly actionError = signal<string | null>(null);
  /** Ids of keys being revoked: their button is disabled meanwhile. */
  protected readonly revoking = idSet();
  protected readonly trackById = (_index: number, key: ApiKeyRowFragment): string => key.id;

  openNewKey(): void {
    this.actionError.set(null);
    this.dialog
      .open<NewApiKeyDialog, void, CreatedApiKey>(NewApiKeyDialog, { width: '480px' })
      .afterClosed()
      .pipe(
        filter((created): created is CreatedApiKey => created !== undefined),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe((created) => {
        this.keys.upsert(created.apiKey);
        // The key itself lives only in that dialog: once it closes, nothing here holds it.
        this.dialog.open(ApiKeyCreatedDialog, {
          data: created,
          width: '560px',
          disableClose: true,
          autoFocus: 'dialog',
        });
      });
  }

  revoke(key: ApiKeyRowFragment): void {
    this.actionError.set(null);
    confirm(this.dialog, {
      title: 'Revoke API key?',
      message: `Tools using "${key.name}" will be refused from now on. This cannot be undone.`,
      confirmLabel: 'Revoke',
      danger: true,
    })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.doRevoke(key));
  }

  private async doRevoke(key: ApiKeyRowFragment): Promise<void> {
    this.revoking.add(key.id);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: RevokeApiKeyDocument, variables: { id: key.id } }),
      );
      if (result.data?.revokeApiKey !== true) {
        this.actionError.set(`The API key "${key.name}" was not revoked: the server did not confirm it.`);
        await this.keys.reload();
        return;
      }
      this.keys.remove(key.id);
      this.snackBar.open(`API key ${key.name} revoked`, 'OK');
    } catch (error) {
      this.actionError.set(`Could not revoke "${key.name}": ${describeError(error)}`);
    } finally {
      this.revoking.delete(key.id);
    }
  }
}
