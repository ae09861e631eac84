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
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  type ValidatorFn,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import {
  CANNED_RESPONSES_MAX,
  CANNED_TEXT_MAX,
  CANNED_TITLE_MAX,
  cannedResponseProblems,
} from '../../../core/campaign-rules';
import { sentence } from '../../../core/graphql/errors';
import type { CannedResponseInput } from '../../../graphql/generated';

/** Checks one field of the new response with the server's rules; empty is allowed until "+". */
function cannedRule(field: 'title' | 'text'): ValidatorFn {
  return (control: AbstractControl<string>): ValidationErrors | null => {
    if ((control.value ?? '') === '') return null;
    const probe = { title: 'title', text: 'text', [field]: control.value };
    const problem = cannedResponseProblems(probe).find((p) => p.field === field);
    return problem ? { rule: sentence(problem.problem) } : null;
  };
}

/** Replies offered to agents: type a title and a text, "+" adds; select a row and "-" removes it. */
@Component({
  selector: 'app-canned-responses-editor',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatTableModule,
    MatTooltipModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './canned-responses-editor.html',
  styleUrl: './canned-responses-editor.scss',
})
export class CannedResponsesEditor {
  readonly responses = model.required<CannedResponseInput[]>();
  readonly disabled = input(false);
  /** For people who may not change campaigns: no picker, no "+" or "-". */
  readonly readOnly = input(false);
  readonly serverError = input<string | null>(null);

  protected readonly titleMax = CANNED_TITLE_MAX;
  protected readonly textMax = CANNED_TEXT_MAX;
  protected readonly columns = ['title', 'text'];
  protected readonly picker = inject(NonNullableFormBuilder).group({
    title: ['', cannedRule('title')],
    text: ['', cannedRule('text')],
  });
  protected readonly selected = signal<number | null>(null);
  protected readonly pickerError = signal<string | null>(null);
  protected readonly shownError = computed(() => this.pickerError() ?? this.serverError());
  private readonly text = toSignal(this.picker.controls.text.valueChanges, { initialValue: '' });
  protected readonly textLength = computed(() => this.text().length);
  /** Rows with their index, so that two identical responses stay two rows. */
  protected readonly rows = computed(() =>
    this.responses().map((response, index) => ({ ...response, index })),
  );

  constructor() {
    this.picker.valueChanges.subscribe(() => this.pickerError.set(null));
    effect(() => {
      if (this.disabled()) this.picker.disable({ emitEvent: false });
      else this.picker.enable({ emitEvent: false });
    });
    effect(() => {
      if ((this.selected() ?? -1) >= this.responses().length) this.selected.set(null);
    });
  }

  add(): void {
    const { title, text } = this.picker.getRawValue();
    const problems = cannedResponseProblems({ title, text });
    if (problems.length > 0) {
      this.picker.markAllAsTouched();
      this.pickerError.set(
        problems.map((p) => `${p.field === 'title' ? 'Title' : 'Text'}: ${p.problem}.`).join(' '),
      );
      return;
    }
    if (this.responses().length >= CANNED_RESPONSES_MAX) {
      this.pickerError.set(`A campaign has at most ${CANNED_RESPONSES_MAX} canned responses.`);
      return;
    }
    this.responses.update((responses) => [...responses, { title: title.trim(), text: text.trim() }]);
    this.picker.reset();
  }

  removeSelected(): void {
    const index = this.selected();
    if (index === null) return;
    this.responses.update((responses) => responses.filter((_response, i) => i !== index));
    this.selected.set(null);
  }

  toggle(index: number): void {
    if (this.disabled() || this.readOnly()) return;
    this.selected.update((current) => (current === index ? null : index));
  }

  /** Null unless a response was typed and not added with "+": then why Save must wait. */
  pendingProblem(): string | null {
    if (this.disabled() || this.readOnly()) return null;
    const { title, text } = this.picker.getRawValue();
    if (title.trim() === '' && text.trim() === '') return null;
    const message = 'This response is not in the list yet: press + to add it, or clear the fields.';
    this.pickerError.set(message);
    return message;
  }
}
