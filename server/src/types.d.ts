declare module 'graphql-depth-limit' {
  import type { ValidationRule } from 'graphql';
  export default function depthLimit(
    maxDepth: number,
    options?: object,
    callback?: (obj: unknown) => void,
  ): ValidationRule;
}
