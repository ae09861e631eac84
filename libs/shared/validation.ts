/** One problem with one input field; `field` is a path such as `schedule[1].from` or `thresholds.dropoutSeconds`. */
export interface FieldProblem {
  field: string;
  problem: string;
}
