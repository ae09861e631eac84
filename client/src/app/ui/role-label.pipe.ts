import { Pipe, type PipeTransform } from '@angular/core';
import { ROLE_LABELS } from '../core/roles';
import type { Role } from '../graphql/generated';

/** ADMIN -> "Admin". */
@Pipe({ name: 'roleLabel' })
export class RoleLabelPipe implements PipeTransform {
  transform(role: Role): string {
    return ROLE_LABELS[role] ?? role;
  }
}
