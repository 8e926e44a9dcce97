/**
 * What a kind's form is generated from: the JSON schema the admin API validates the kind's body with
 * (src/model/), with its validators compiled at build time (scripts/build-web.mjs): the console's CSP allows
 * no `eval`, which ajv would need to compile them in the browser. A field added to the model appears in
 * the form at the next build, with no change here.
 */
import type { RJSFSchema, ValidatorType } from '@rjsf/utils';
import type { ValidatorFunctions } from '@rjsf/validator-ajv8';
// The precompiled validator alone: the package's index would bring ajv's compiler into the bundle.
import createPrecompiledValidator from '@rjsf/validator-ajv8/lib/createPrecompiledValidator.js';

type Json = Record<string, unknown>;

export interface KindForm {
  schema: RJSFSchema;
  validator: ValidatorType<Json, RJSFSchema>;
}

/** What scripts/build-web.mjs writes for a kind. */
interface GeneratedForm {
  schema: RJSFSchema;
  validateFns: ValidatorFunctions;
}

export type FormKind = 'services';

/**
 * The kinds with a form; each is loaded with the page that needs it. Typed here, not by the generated
 * files: lint runs on a fresh clone, before a build has written them.
 */
const FORMS: Record<FormKind, () => Promise<GeneratedForm>> = {
  services: () => import('./generated/services.js') as Promise<GeneratedForm>,
};

export async function kindForm(kind: FormKind): Promise<KindForm> {
  const { schema, validateFns } = await FORMS[kind]();
  return { schema, validator: createPrecompiledValidator<Json, RJSFSchema>(validateFns, schema) };
}

/** A stored resource as a form's data: only the fields the schema has (not its id and timestamps). */
export function formDataOf(schema: RJSFSchema, stored: Json): Json {
  const fields = Object.keys(schema.properties ?? {});
  return Object.fromEntries(Object.entries(stored).filter(([k]) => fields.includes(k)));
}
