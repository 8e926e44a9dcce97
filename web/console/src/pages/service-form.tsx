import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import { ApiError, seg } from '../../../shared/api.js';
import { ErrorMessage } from '../error-message.js';
import { formDataOf, kindForm } from '../kind-schema.js';
import { useApi } from '../session.js';
import { useLoad } from '../use-load.js';

type Json = Record<string, unknown>;

/**
 * The server's field errors (`details[].path`, a JSON pointer) as rjsf's error tree, so each shows under
 * its field as well as in the summary.
 */
export function fieldErrors(err: ApiError): ErrorSchema {
  const tree: Json = {};
  for (const d of err.details) {
    const parts = d.path.split('/').filter((p) => p !== '');
    let at = tree;
    for (const p of parts) at = (at[p] ??= {}) as Json;
    ((at['__errors'] ??= []) as string[]).push(d.message);
  }
  return tree as ErrorSchema;
}

/** Create (`/services/new`) or edit (`/services/NAME`) a service, with a form generated from its schema. */
export function ServiceFormPage() {
  const api = useApi();
  const navigate = useNavigate();
  const { workspace = 'default', name } = useParams();
  const base = `/workspaces/${seg(workspace)}/services`;
  const editing = name !== undefined;
  const loaded = useLoad(async () => {
    const form = await kindForm('services');
    const stored = editing ? await api.get<Json>(`${base}/${seg(name)}`) : undefined;
    return { ...form, data: stored === undefined ? {} : formDataOf(form.schema, stored) };
  }, [api, base, name]);
  const [error, setError] = useState<Error | undefined>();
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>();
  const [busy, setBusy] = useState(false);
  const [data, setData] = useState<Json | undefined>();

  const uiSchema: UiSchema = {
    'ui:submitButtonOptions': { submitText: editing ? 'Save' : 'Create service', props: { disabled: busy } },
    // A resource is addressed by its name: renaming is a new resource.
    ...(editing ? { name: { 'ui:readonly': true } } : {}),
    description: { 'ui:widget': 'textarea' },
  };

  async function save(formData: Json | undefined) {
    setBusy(true);
    setError(undefined);
    setExtraErrors(undefined);
    setData(formData);
    try {
      if (editing) await api.request('PUT', `${base}/${seg(name)}`, formData);
      else await api.request('POST', base, formData);
      void navigate(`/w/${seg(workspace)}/services`);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      setError(e);
      if (e instanceof ApiError) setExtraErrors(fieldErrors(e));
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="service-form-title">
      <p>
        <Link to={`/w/${seg(workspace)}/services`}>← Services</Link>
      </p>
      <h1 id="service-form-title">{editing ? `Service ${name}` : 'New service'}</h1>
      <ErrorMessage error={loaded.error} />
      {loaded.data !== undefined && (
        <Form<Json, RJSFSchema>
          schema={loaded.data.schema}
          uiSchema={uiSchema}
          formData={data ?? loaded.data.data}
          validator={loaded.data.validator}
          // The server's answer is the one that counts (it checks what a schema cannot: references, URLs);
          // the browser's own checks would stop a bad value before the server could name it.
          noHtml5Validate
          showErrorList={false}
          extraErrors={extraErrors}
          onChange={(e) => setData(e.formData)}
          onSubmit={(e) => void save(e.formData)}
        >
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {editing ? 'Save' : 'Create service'}
          </button>
        </Form>
      )}
    </section>
  );
}
