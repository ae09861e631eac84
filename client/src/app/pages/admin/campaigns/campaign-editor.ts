import {
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  type ValidatorFn,
} from '@angular/forms';
import { NgTemplateOutlet } from '@angular/common';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { ErrorStateMatcher, ShowOnDirtyErrorStateMatcher } from '@angular/material/core';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { type Observable, defaultIfEmpty, firstValueFrom, map } from 'rxjs';
import { AuthService } from '../../../core/auth/auth.service';
import {
  AFTER_HOURS_MESSAGE_MAX,
  CAMPAIGN_NAME_MAX,
  type FieldProblem,
  campaignInputProblems,
  newCampaignDefaults,
} from '../../../core/campaign-rules';
import { STRATEGIES } from '../../../core/campaigns';
import { type InputProblem, describeError, inputProblemsOf, sentence } from '../../../core/graphql/errors';
import { WsClientService } from '../../../core/graphql/ws-client.service';
import {
  type CampaignDetailFragment,
  CampaignEditorChangedDocument,
  CampaignForEditorDocument,
  type CampaignInput,
  type CannedResponseInput,
  type Channel,
  CreateCampaignDocument,
  type RoutingStrategy,
  type ScheduleRangeInput,
  type ThresholdsInput,
  UpdateCampaignDocument,
} from '../../../graphql/generated';
import { ChannelIcon } from '../../../ui/channel-icon';
import { confirm } from '../../../ui/confirm-dialog';
import { ErrorMessage } from '../../../ui/error-message';
import { TokenStatusIcon } from '../../../ui/token-status-icon';
import { ActivationDialog, type ActivationDialogData } from './activation-dialog';
import { CampaignFacebook } from './campaign-facebook';
import { CannedResponsesEditor } from './canned-responses-editor';
import { ScheduleEditor } from './schedule-editor';

type ThresholdKey = keyof ThresholdsInput;

/** The real-time thresholds, in the order of uContact's screen. */
const THRESHOLDS: readonly { key: ThresholdKey; label: string; hint: string; empty: string }[] = [
  {
    key: 'serviceLevelSeconds',
    label: 'Service level (s)',
    hint: 'Answered within this counts toward the service level',
    empty: 'Enter a number of seconds.',
  },
  {
    key: 'dropoutSeconds',
    label: 'Dropout (s)',
    hint: 'Unanswered this long counts as abandoned',
    empty: 'Enter a number of seconds.',
  },
  {
    key: 'chatTimeSeconds',
    label: 'Chat time (s)',
    hint: 'Open longer than this is flagged over time',
    empty: 'Enter a number of seconds.',
  },
  {
    key: 'acdMaxWaiting',
    label: 'Max waiting (chats)',
    hint: 'More waiting chats than this is flagged',
    empty: 'Enter a number of chats.',
  },
];

/** Fields placed under their own control when a check or the server names them. */
type ControlField =
  'name' | 'serviceLevelTarget' | 'strategy' | 'timezone' | 'maxInteractionsPerAgent' | 'afterHoursMessage';
const CONTROL_FIELDS: readonly ControlField[] = [
  'name',
  'serviceLevelTarget',
  'strategy',
  'timezone',
  'maxInteractionsPerAgent',
  'afterHoursMessage',
];
const FIELD_LABELS: Readonly<Record<string, string>> = {
  channel: 'Channel',
  enabled: 'Enabled',
  pageName: 'Page name',
  announceQueuePosition: 'Queue position',
};

/** The server's rule for one field, with a sentence of our own when the field is left empty. */
function rule(field: string, toInput: (value: never) => CampaignInput, emptyMessage?: string): ValidatorFn {
  return (control: AbstractControl): ValidationErrors | null => {
    const value: unknown = control.value;
    if (emptyMessage && (value === null || (typeof value === 'string' && value.trim() === ''))) {
      return { rule: emptyMessage };
    }
    const problem = campaignInputProblems(toInput(value as never)).find((p) => p.field === field);
    return problem ? { rule: sentence(problem.problem) } : null;
  };
}

const SAMPLE_THRESHOLDS: ThresholdsInput = {
  serviceLevelSeconds: 0,
  dropoutSeconds: 0,
  chatTimeSeconds: 0,
  acdMaxWaiting: 0,
};

/** "schedule[1].from" -> "Range 2, from"; "cannedResponses[0].title" -> "Response 1, title". */
function listItemLabel(field: string, noun: string): string {
  const match = /^\w+\[(\d+)\](?:\.(\w+))?/.exec(field);
  if (!match) return '';
  return match[2] ? `${noun} ${Number(match[1]) + 1}, ${match[2]}` : `${noun} ${Number(match[1]) + 1}`;
}

/** Admins create and change campaigns with every setting; supervisors read them. */
@Component({
  selector: 'app-campaign-editor',
  imports: [
    NgTemplateOutlet,
    ReactiveFormsModule,
    RouterLink,
    MatAutocompleteModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatProgressSpinnerModule,
    MatSelectModule,
    MatSlideToggleModule,
    MatTooltipModule,
    CampaignFacebook,
    CannedResponsesEditor,
    ChannelIcon,
    ErrorMessage,
    ScheduleEditor,
    TokenStatusIcon,
  ],
  // Rules are checked as the person types, not only after leaving the field.
  providers: [{ provide: ErrorStateMatcher, useClass: ShowOnDirtyErrorStateMatcher }],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './campaign-editor.html',
  styleUrl: './campaign-editor.scss',
})
export class CampaignEditorPage {
  private readonly apollo = inject(Apollo);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly user = inject(AuthService).user;
  private readonly host: ElementRef<HTMLElement> = inject(ElementRef);
  private readonly injector = inject(Injector);

  protected readonly strategies = STRATEGIES;
  protected readonly thresholds = THRESHOLDS;
  protected readonly nameMax = CAMPAIGN_NAME_MAX;
  protected readonly afterHoursMax = AFTER_HOURS_MESSAGE_MAX;

  /** Null for a new campaign. */
  protected readonly campaignId = toSignal(
    inject(ActivatedRoute).paramMap.pipe(map((params) => params.get('id'))),
    { initialValue: null },
  );
  protected readonly creating = computed(() => this.campaignId() === null);
  protected readonly readOnly = computed(() => this.user()?.role !== 'ADMIN');
  protected readonly campaign = signal<CampaignDetailFragment | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  protected readonly saving = signal(false);
  protected readonly banner = signal<string | null>(null);
  protected readonly scheduleError = signal<string | null>(null);
  protected readonly cannedError = signal<string | null>(null);
  protected readonly locked = computed(() => this.readOnly() || this.saving() || this.loading());
  /** The campaign as someone else saved it since it was opened here, until the admin reloads or saves. */
  protected readonly changedElsewhere = signal<CampaignDetailFragment | null>(null);
  protected readonly staleMessage = computed(() => {
    const latest = this.changedElsewhere();
    if (!latest) return '';
    const renamed = latest.name !== this.campaign()?.name ? ` (now "${latest.name}")` : '';
    return this.hasUnsavedChanges()
      ? `Someone else changed this campaign${renamed}. Reload to see their version, or save to keep yours in the fields you changed.`
      : `Someone else changed this campaign${renamed}. Reload to see their version.`;
  });
  /** Someone else deleted the campaign: nothing can be saved; what was typed stays on screen. */
  protected readonly deletedElsewhere = signal(false);
  /** A push that arrived during a save: compared with the save's answer (it may be our own change). */
  private pushedDuringSave: CampaignDetailFragment | null = null;

  private readonly defaults = newCampaignDefaults();
  protected readonly schedule = signal<ScheduleRangeInput[]>(this.defaults.schedule);
  protected readonly cannedResponses = signal<CannedResponseInput[]>([]);

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', rule('name', (name: string) => ({ name }), 'Enter a name for the campaign.')],
    channel: [this.defaults.channel as Channel],
    serviceLevelTarget: [
      this.defaults.serviceLevelTarget as number | null,
      rule(
        'serviceLevelTarget',
        (serviceLevelTarget: number) => ({ serviceLevelTarget }),
        'Enter a percentage from 0 to 100.',
      ),
    ],
    strategy: [this.defaults.strategy as RoutingStrategy],
    timezone: [
      this.defaults.timezone,
      rule('timezone', (timezone: string) => ({ timezone }), 'Enter a time zone, such as Europe/Madrid.'),
    ],
    thresholds: inject(NonNullableFormBuilder).group(
      Object.fromEntries(
        THRESHOLDS.map(({ key, empty }) => [
          key,
          [
            this.defaults.thresholds[key] as number | null,
            rule(
              `thresholds.${key}`,
              (value: number) => ({ thresholds: { ...SAMPLE_THRESHOLDS, [key]: value } }),
              empty,
            ),
          ],
        ]),
      ) as Record<ThresholdKey, [number | null, ValidatorFn]>,
    ),
    maxInteractionsPerAgent: [
      this.defaults.maxInteractionsPerAgent as number | null,
      rule(
        'maxInteractionsPerAgent',
        (maxInteractionsPerAgent: number) => ({ maxInteractionsPerAgent }),
        'Enter a number from 1 to 50.',
      ),
    ],
    afterHoursMessage: [
      '',
      rule('afterHoursMessage', (afterHoursMessage: string) => ({ afterHoursMessage })),
    ],
    announceQueuePosition: [this.defaults.announceQueuePosition],
    enabled: [this.defaults.enabled],
  });

  private readonly formValue = toSignal(this.form.valueChanges, { initialValue: this.form.value });
  /** Disabled controls included (the channel of a saved campaign). */
  private readonly formRawValue = toSignal(this.form.valueChanges.pipe(map(() => this.form.getRawValue())), {
    initialValue: this.form.getRawValue(),
  });
  /** What the admin has in front of them, to compare with what was loaded. */
  private readonly edited = computed(() =>
    JSON.stringify({
      form: this.formRawValue(),
      schedule: this.schedule(),
      cannedResponses: this.cannedResponses(),
    }),
  );
  /** `edited` as last loaded or saved; a new campaign starts from the defaults. */
  private readonly saved = signal(this.edited());
  /**
   * True when leaving would lose what the admin typed. Read-only viewers have nothing to lose,
   * and neither does a session that ended (no user, so read-only): signing out is never held up.
   */
  readonly hasUnsavedChanges = computed(() => !this.readOnly() && this.edited() !== this.saved());
  protected readonly channel = computed(() => this.formValue().channel ?? this.form.controls.channel.value);
  protected readonly isMessenger = computed(() => this.channel() === 'MESSENGER');
  protected readonly strategyInfo = computed(() =>
    STRATEGIES.find((s) => s.value === (this.formValue().strategy ?? this.form.controls.strategy.value)),
  );
  protected readonly enabledLabel = computed(() => {
    const enabled = this.formValue().enabled ?? this.form.controls.enabled.value;
    if (!this.isMessenger()) return enabled ? 'Enabled' : 'Disabled';
    return enabled ? 'Takes new chats' : 'Takes no new chats';
  });
  protected readonly afterHoursLength = computed(() => (this.formValue().afterHoursMessage ?? '').length);
  private readonly allZones = supportedTimeZones();
  protected readonly zoneOptions = computed(() => {
    const typed = (this.formValue().timezone ?? '').trim().toLowerCase().replace(/ /g, '_');
    const matches =
      typed === '' ? this.allZones : this.allZones.filter((z) => z.toLowerCase().includes(typed));
    return matches.slice(0, 100);
  });
  protected readonly title = computed(() => {
    if (this.creating()) return 'New campaign';
    return this.campaign()?.name ?? 'Campaign';
  });

  private readonly scheduleEditor = viewChild(ScheduleEditor);
  private readonly cannedEditor = viewChild(CannedResponsesEditor);

  constructor() {
    effect(() => {
      const id = this.campaignId();
      if (id !== null) void this.load(id);
    });
    // Errors here only mean the editor is not warned of others' changes; saving still works.
    this.apollo
      .subscribe({ query: CampaignEditorChangedDocument })
      .pipe(takeUntilDestroyed())
      .subscribe((result) => {
        const change = result.data?.campaignChanged;
        if (change) this.onChangedElsewhere(change);
      });
    // Pushes sent while the socket was down are lost: compare with what is saved now.
    inject(WsClientService)
      .reconnected$.pipe(takeUntilDestroyed())
      .subscribe(() => void this.checkSaved());
    effect(() => {
      this.locked();
      this.applyEditability();
    });
    // Reload or close the tab: the browser asks its own question, only while there is work to lose.
    const view = inject(DOCUMENT).defaultView;
    effect((onCleanup) => {
      if (!view || !this.hasUnsavedChanges()) return;
      const holdUnload = (event: BeforeUnloadEvent) => event.preventDefault();
      view.addEventListener('beforeunload', holdUnload);
      onCleanup(() => view.removeEventListener('beforeunload', holdUnload));
    });
  }

  /** For the route's leave guard: emits true when the admin chooses to leave, false to stay. */
  askToLeave(): Observable<boolean> {
    return confirm(this.dialog, {
      title: 'Leave without saving?',
      message: `Your changes to ${this.campaign()?.name ?? 'the new campaign'} will be lost.`,
      confirmLabel: 'Leave',
      cancelLabel: 'Stay',
      danger: true,
    }).pipe(
      map(() => true),
      defaultIfEmpty(false),
    );
  }

  protected errorOf(control: AbstractControl): string | null {
    return (
      (control.getError('rule') as string | undefined) ??
      (control.getError('server') as string | null) ??
      null
    );
  }

  /** "Reload": shows the campaign as saved by the other person, asking first when that drops the admin's edits. */
  reloadChanged(): void {
    const latest = this.changedElsewhere();
    if (!latest) return;
    if (!this.hasUnsavedChanges()) {
      this.showCampaign(latest);
      return;
    }
    confirm(this.dialog, {
      title: 'Reload the campaign?',
      message: `Your unsaved changes to ${latest.name} will be replaced by the saved version.`,
      confirmLabel: 'Reload',
      cancelLabel: 'Keep my changes',
      danger: true,
    }).subscribe(() => this.showCampaign(latest));
  }

  /** A Facebook action's answer: only the page and token change; the form and its baseline stay. */
  protected onFacebookChanged(updated: CampaignDetailFragment): void {
    this.campaign.update((current) =>
      current && current.id === updated.id ? { ...current, ...facebookFields(updated) } : current,
    );
  }

  async save(): Promise<void> {
    if (this.saving() || this.readOnly() || this.deletedElsewhere()) return;
    this.banner.set(null);
    this.scheduleError.set(null);
    this.cannedError.set(null);
    const creating = this.creating();
    const messenger = this.isMessenger();
    const pending = messenger
      ? [this.scheduleEditor()?.pendingProblem(), this.cannedEditor()?.pendingProblem()]
      : [];
    const controls = this.relevantControls();
    controls.forEach((control) => control.markAllAsTouched());
    if (controls.some((control) => control.invalid) || pending.some((p) => p)) {
      this.banner.set('Nothing was saved: correct what is marked in red first.');
      this.revealFirstProblem();
      return;
    }
    const current = this.campaign();
    const full = this.buildInput();
    const problems = campaignInputProblems(full, current ? { channel: current.channel } : undefined);
    if (problems.length > 0) {
      this.placeProblems(problems);
      return;
    }
    const input = current ? changedFields(full, inputFromCampaign(current)) : full;
    if (current && Object.keys(input).length === 0) {
      // Only what saving drops differs (spaces around the name): show the campaign as saved, unchanged.
      this.showCampaign(current);
      this.snackBar.open('No changes to save', 'OK');
      return;
    }

    this.saving.set(true);
    let failure: unknown = null;
    try {
      if (current) await this.update(current, input);
      else await this.create(input, messenger);
    } catch (error) {
      failure = error;
    } finally {
      this.saving.set(false);
    }
    // After the form is editable again: enabling it re-runs the checks, which would clear these.
    this.applyEditability();
    if (failure !== null) this.placeServerError(failure);
    else if (creating) this.form.markAsPristine();
    const pushed = this.pushedDuringSave;
    this.pushedDuringSave = null;
    if (pushed) this.onChangedElsewhere({ ...pushed, deleted: false });
  }

  /** Reads the campaign as saved and treats it as a push (a deletion when it is gone). */
  private async checkSaved(): Promise<void> {
    const current = this.campaign();
    if (!current || this.deletedElsewhere()) return;
    try {
      const result = await firstValueFrom(
        this.apollo.query({
          query: CampaignForEditorDocument,
          variables: { id: current.id },
          fetchPolicy: 'network-only',
        }),
      );
      const saved = result.data?.campaign;
      this.onChangedElsewhere(saved ? { ...saved, deleted: false } : { ...current, deleted: true });
    } catch {
      // Not known either way: the next push or reconnection tells.
    }
  }

  /** A campaignChanged push: says so when it is this campaign and differs from what the editor holds. */
  private onChangedElsewhere(change: CampaignDetailFragment & { deleted: boolean }): void {
    const { deleted, ...campaign } = change;
    const current = this.campaign();
    if (!current || campaign.id !== current.id) return;
    if (deleted) {
      this.deletedElsewhere.set(true);
      this.changedElsewhere.set(null);
      return;
    }
    if (this.saving()) {
      this.pushedDuringSave = campaign;
      return;
    }
    if (sameSettings(campaign, current)) {
      // Our own save coming back, or what the editor does not edit (token status, open now).
      this.campaign.set(campaign);
      return;
    }
    // The page and token are not the form's: they show at once, whatever else waits for "Reload".
    this.campaign.set({ ...current, ...facebookFields(campaign) });
    this.changedElsewhere.set(campaign);
  }

  private async create(input: CampaignInput, messenger: boolean): Promise<void> {
    const result = await firstValueFrom(
      this.apollo.mutate({ mutation: CreateCampaignDocument, variables: { input } }),
    );
    const created = result.data?.createCampaign;
    if (!created) throw new Error('The Parley server did not return the new campaign.');
    // Saved: going on to the campaign's own page must not ask about leaving unsaved work.
    this.saved.set(this.edited());
    this.snackBar.open(`Campaign ${created.name} created`, 'OK');
    await this.router.navigate(['/admin/campaigns', created.id], { replaceUrl: true });
    if (messenger) {
      this.dialog.open<ActivationDialog, ActivationDialogData>(ActivationDialog, {
        data: { campaignId: created.id, campaignName: created.name },
        width: '560px',
      });
    }
  }

  private async update(current: CampaignDetailFragment, input: CampaignInput): Promise<void> {
    const result = await firstValueFrom(
      this.apollo.mutate({ mutation: UpdateCampaignDocument, variables: { id: current.id, input } }),
    );
    const updated = result.data?.updateCampaign;
    if (!updated) throw new Error('The Parley server did not return the saved campaign.');
    this.showCampaign(updated);
    this.snackBar.open(`Campaign ${updated.name} saved`, 'OK');
  }

  private async load(id: string): Promise<void> {
    this.loading.set(true);
    this.loadError.set(null);
    try {
      const result = await firstValueFrom(
        this.apollo.query({
          query: CampaignForEditorDocument,
          variables: { id },
          fetchPolicy: 'network-only',
        }),
      );
      const campaign = result.data?.campaign;
      if (!campaign) {
        this.loadError.set('This campaign does not exist: it may have been deleted.');
        return;
      }
      this.showCampaign(campaign);
    } catch (error) {
      this.loadError.set(`Could not load the campaign: ${describeError(error)}`);
    } finally {
      this.loading.set(false);
    }
  }

  private showCampaign(campaign: CampaignDetailFragment): void {
    this.campaign.set(campaign);
    this.changedElsewhere.set(null);
    this.form.reset({
      name: campaign.name,
      channel: campaign.channel,
      serviceLevelTarget: campaign.serviceLevelTarget,
      strategy: campaign.strategy,
      timezone: campaign.timezone,
      thresholds: { ...campaign.thresholds },
      maxInteractionsPerAgent: campaign.maxInteractionsPerAgent,
      afterHoursMessage: campaign.afterHoursMessage ?? '',
      announceQueuePosition: campaign.announceQueuePosition,
      enabled: campaign.enabled,
    });
    this.schedule.set(copySchedule(campaign.schedule));
    this.cannedResponses.set(campaign.cannedResponses.map(({ title, text }) => ({ title, text })));
    this.saved.set(this.edited());
    this.applyEditability();
  }

  /** Everything the form says, as the server takes it; VOICE campaigns have only a name and a switch. */
  private buildInput(): CampaignInput {
    const value = this.form.getRawValue();
    const input: CampaignInput = { name: value.name.trim(), enabled: value.enabled };
    if (this.creating()) input.channel = value.channel;
    if (value.channel !== 'MESSENGER') return input;
    return {
      ...input,
      serviceLevelTarget: value.serviceLevelTarget,
      strategy: value.strategy,
      timezone: value.timezone.trim(),
      schedule: copySchedule(this.schedule()),
      thresholds: {
        serviceLevelSeconds: value.thresholds.serviceLevelSeconds ?? 0,
        dropoutSeconds: value.thresholds.dropoutSeconds ?? 0,
        chatTimeSeconds: value.thresholds.chatTimeSeconds ?? 0,
        acdMaxWaiting: value.thresholds.acdMaxWaiting ?? 0,
      },
      maxInteractionsPerAgent: value.maxInteractionsPerAgent,
      afterHoursMessage: value.afterHoursMessage.trim() === '' ? null : value.afterHoursMessage,
      announceQueuePosition: value.announceQueuePosition,
      cannedResponses: this.cannedResponses().map(({ title, text }) => ({ title, text })),
    };
  }

  /** The controls that count: a VOICE campaign hides (and does not send) the Messenger settings. */
  private relevantControls(): AbstractControl[] {
    const { name, enabled } = this.form.controls;
    return this.isMessenger() ? [this.form] : [name, enabled];
  }

  /** Idempotent: enabling a form re-runs its checks, which would drop the errors the server placed. */
  private applyEditability(): void {
    if (this.locked() || this.loadError()) {
      if (!this.form.disabled) this.form.disable({ emitEvent: false });
      return;
    }
    if (this.form.disabled) {
      this.form.enable({ emitEvent: false });
      if (!this.creating()) this.form.controls.channel.disable({ emitEvent: false });
    }
  }

  private placeServerError(error: unknown): void {
    const problems = inputProblemsOf(error);
    if (problems.length > 0) {
      this.placeProblems(problems);
      return;
    }
    this.banner.set(`Nothing was saved. ${describeError(error)}`);
    this.revealFirstProblem();
  }

  /**
   * Scrolls to the first problem on the page and focuses it, once it is rendered: the admin may be
   * far down the form, and the message would otherwise appear out of sight.
   */
  private revealFirstProblem(): void {
    afterNextRender(
      () => {
        const root = this.host.nativeElement;
        // In page order: a field marked invalid, a list editor's message, else the banner at the top.
        const problem =
          root.querySelector<HTMLElement>('[aria-invalid="true"], p.error[role="alert"]') ??
          root.querySelector<HTMLElement>('[data-testid="campaign-error"] [role="alert"]');
        if (!problem) return;
        problem.scrollIntoView({ block: 'center' });
        const focusable = problem.matches('input, textarea, mat-select, [tabindex]')
          ? problem
          : Object.assign(problem, { tabIndex: -1 });
        focusable.focus({ preventScroll: true });
      },
      { injector: this.injector },
    );
  }

  /** Each problem under the field it names; problems of no visible field go to the banner. */
  private placeProblems(problems: readonly (InputProblem | FieldProblem)[]): void {
    this.revealFirstProblem();
    const schedule: string[] = [];
    const canned: string[] = [];
    const unplaced: string[] = [];
    for (const { field, problem } of problems) {
      const path = field ?? '';
      const control = this.controlFor(path);
      if (control) {
        control.setErrors({ ...control.errors, server: sentence(problem) });
        control.markAsTouched();
        control.markAsDirty();
      } else if (path.startsWith('schedule') && this.isMessenger()) {
        const label = listItemLabel(path, 'Range');
        schedule.push(sentence(label ? `${label}: ${problem}` : problem));
      } else if (path.startsWith('cannedResponses') && this.isMessenger()) {
        const label = listItemLabel(path, 'Response');
        canned.push(sentence(label ? `${label}: ${problem}` : problem));
      } else {
        const label = FIELD_LABELS[path] ?? path;
        unplaced.push(sentence(label ? `${label}: ${problem}` : problem));
      }
    }
    this.scheduleError.set(schedule.length > 0 ? schedule.join(' ') : null);
    this.cannedError.set(canned.length > 0 ? canned.join(' ') : null);
    const placed = problems.length - unplaced.length;
    this.banner.set(
      unplaced.length > 0
        ? `Nothing was saved. ${unplaced.join(' ')}`
        : placed > 0
          ? 'Nothing was saved: correct what is marked in red first.'
          : null,
    );
  }

  private controlFor(field: string): AbstractControl | null {
    const threshold = /^thresholds\.(\w+)$/.exec(field)?.[1];
    if (threshold && this.isMessenger()) {
      return THRESHOLDS.some((t) => t.key === threshold)
        ? this.form.controls.thresholds.get(threshold)
        : null;
    }
    const name = CONTROL_FIELDS.find((f) => f === field);
    if (!name || (name !== 'name' && !this.isMessenger())) return null;
    return this.form.controls[name];
  }
}

/** What Facebook actions and checks change on a campaign, apart from the settings the form edits. */
function facebookFields(campaign: CampaignDetailFragment): Partial<CampaignDetailFragment> {
  const { pageId, pageName, tokenStatus, tokenError, tokenCheckedAt } = campaign;
  return { pageId, pageName, tokenStatus, tokenError, tokenCheckedAt };
}

function copySchedule(ranges: readonly ScheduleRangeInput[]): ScheduleRangeInput[] {
  return ranges.map(({ days, from, to }) => ({ days: [...days], from, to }));
}

/** What the form would send for a saved campaign: the base for "what changed". */
function inputFromCampaign(campaign: CampaignDetailFragment): CampaignInput {
  if (campaign.channel !== 'MESSENGER') return { name: campaign.name, enabled: campaign.enabled };
  return {
    name: campaign.name,
    enabled: campaign.enabled,
    serviceLevelTarget: campaign.serviceLevelTarget,
    strategy: campaign.strategy,
    timezone: campaign.timezone,
    schedule: copySchedule(campaign.schedule),
    thresholds: { ...campaign.thresholds },
    maxInteractionsPerAgent: campaign.maxInteractionsPerAgent,
    afterHoursMessage: campaign.afterHoursMessage,
    announceQueuePosition: campaign.announceQueuePosition,
    cannedResponses: campaign.cannedResponses.map(({ title, text }) => ({ title, text })),
  };
}

/** Whether two versions of a campaign have the same settings (what the editor edits). */
function sameSettings(a: CampaignDetailFragment, b: CampaignDetailFragment): boolean {
  return JSON.stringify(inputFromCampaign(a)) === JSON.stringify(inputFromCampaign(b));
}

/** Only the fields that differ from the saved campaign: an update leaves the others as they are. */
function changedFields(input: CampaignInput, saved: CampaignInput): CampaignInput {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (JSON.stringify(value) !== JSON.stringify(saved[key as keyof CampaignInput])) changed[key] = value;
  }
  return changed as CampaignInput;
}

function supportedTimeZones(): readonly string[] {
  try {
    const zones = Intl.supportedValuesOf('timeZone');
    return zones.includes('UTC') ? zones : [...zones, 'UTC'];
  } catch {
    return ['UTC'];
  }
}
