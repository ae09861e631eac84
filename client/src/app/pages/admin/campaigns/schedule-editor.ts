import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  model,
  signal,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map } from 'rxjs';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  type ValidatorFn,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatListModule } from '@angular/material/list';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MAX_SCHEDULE_RANGES, scheduleProblems } from '../../../core/campaign-rules';
import { sentence } from '../../../core/graphql/errors';
import { WEEKDAYS, describeDays } from '../../../core/campaigns';
import type { ScheduleRangeInput, Weekday } from '../../../graphql/generated';

type TimeField = 'from' | 'to';

/** Checks one time of the picker with the server's schedule rules; `to` is checked against `from`. */
function timeRule(which: TimeField): ValidatorFn {
  return (control: AbstractControl<string>): ValidationErrors | null => {
    const value = (control.value ?? '').trim();
    if (value === '') return { rule: 'Enter a time as HH:MM, for example 09:00.' };
    const from = which === 'from' ? value : String(control.parent?.get('from')?.value ?? '').trim();
    const range = { days: ['MON' as Weekday], from, to: which === 'to' ? value : '24:00' };
    const problem = scheduleProblems([range], 'range').find((p) => p.field === `range[0].${which}`);
    return problem ? { rule: sentence(problem.problem) } : null;
  };
}

/** "9:00" -> "09:00", so a missing leading zero is not an error. */
function padTime(value: string): string {
  const match = /^(\d):(\d\d)$/.exec(value.trim());
  return match ? `0${match[1]}:${match[2]}` : value.trim();
}

/**
 * A campaign's weekly schedule: pick weekdays and From/To, "+" adds the range to the list;
 * select a range and "-" removes it.
 */
@Component({
  selector: 'app-schedule-editor',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatChipsModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatListModule,
    MatTooltipModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './schedule-editor.html',
  styleUrl: './schedule-editor.scss',
})
export class ScheduleEditor {
  readonly ranges = model.required<ScheduleRangeInput[]>();
  readonly disabled = input(false);
  /** For people who may not change campaigns: no picker, no "+" or "-". */
  readonly readOnly = input(false);
  /** A problem the server found in the schedule, in words. */
  readonly serverError = input<string | null>(null);

  protected readonly weekdays = WEEKDAYS;
  protected readonly describeDays = describeDays;
  protected readonly picker = inject(NonNullableFormBuilder).group({
    days: [[] as Weekday[]],
    from: ['09:00', timeRule('from')],
    to: ['18:00', timeRule('to')],
  });
  protected readonly selected = signal<number | null>(null);
  /** Why the last "+" or Save could not go on; cleared when the picker changes. */
  protected readonly pickerError = signal<string | null>(null);
  /** Changes whenever the picker's value, validity or touched state does. */
  private readonly pickerState = toSignal(this.picker.events.pipe(map(() => ({}))), { initialValue: {} });
  /** The problems of From and To, in full words under the picker (the fields are too narrow for them). */
  protected readonly timeErrors = computed(() => {
    this.pickerState();
    return (['from', 'to'] as const).flatMap((field) => {
      const control = this.picker.controls[field];
      const message = control.getError('rule') as string | null;
      const shown = message && control.enabled && (control.dirty || control.touched);
      return shown ? [{ field, label: field === 'from' ? 'From' : 'To', message }] : [];
    });
  });
  private readonly days = toSignal(this.picker.controls.days.valueChanges, { initialValue: [] as Weekday[] });
  protected readonly shownError = computed(() => this.pickerError() ?? this.serverError());

  constructor() {
    this.picker.controls.from.valueChanges.subscribe(() => {
      this.picker.controls.to.updateValueAndValidity({ emitEvent: false });
    });
    this.picker.valueChanges.subscribe(() => this.pickerError.set(null));
    effect(() => {
      if (this.disabled()) this.picker.disable({ emitEvent: false });
      else this.picker.enable({ emitEvent: false });
    });
    // A list replaced from outside (a campaign loaded) has nothing selected.
    effect(() => {
      if ((this.selected() ?? -1) >= this.ranges().length) this.selected.set(null);
    });
  }

  pad(field: TimeField): void {
    const control = this.picker.controls[field];
    const padded = padTime(control.value);
    if (padded !== control.value) control.setValue(padded);
  }

  add(): void {
    this.pad('from');
    this.pad('to');
    this.picker.markAllAsTouched();
    const { days, from, to } = this.picker.getRawValue();
    if (this.picker.invalid) return;
    if (days.length === 0) {
      this.pickerError.set('Choose at least one day for the range.');
      return;
    }
    if (this.ranges().length >= MAX_SCHEDULE_RANGES) {
      this.pickerError.set(`A schedule has at most ${MAX_SCHEDULE_RANGES} ranges.`);
      return;
    }
    const ordered = WEEKDAYS.map((d) => d.value).filter((d) => days.includes(d));
    this.ranges.update((ranges) => [...ranges, { days: ordered, from, to }]);
    this.picker.controls.days.setValue([]);
    this.picker.markAsUntouched();
  }

  removeSelected(): void {
    const index = this.selected();
    if (index === null) return;
    this.ranges.update((ranges) => ranges.filter((_range, i) => i !== index));
    this.selected.set(null);
  }

  select(index: number, selected: boolean): void {
    this.selected.set(selected ? index : null);
  }

  /**
   * Null when the picker holds nothing left behind; otherwise why Save must wait (an invalid time,
   * or days chosen but not added with "+"), also shown beside the picker.
   */
  pendingProblem(): string | null {
    if (this.disabled() || this.readOnly()) return null;
    this.pad('from');
    this.pad('to');
    if (this.picker.invalid) {
      this.picker.markAllAsTouched();
      return 'The schedule has a time to correct.';
    }
    if (this.days().length > 0) {
      const message = 'This range is not in the schedule yet: press + to add it, or unselect its days.';
      this.pickerError.set(message);
      return message;
    }
    return null;
  }
}
