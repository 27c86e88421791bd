/**
 * What a create takes for the principal that asks: the id (a deleted id stays
 * its owner's, with the workspace it kept), a unit of its quota, and the owner
 * label on the row. Synchronous from the check to the caller's insert, so two
 * creates cannot both take the last unit.
 */
import { clientMetadata, OWNER_KEY, type Metadata } from '../domain/metadata.js';
import { mayAct, type Principal } from '../domain/principal.js';
import { isDeleted, type SandboxSpec } from '../domain/sandbox.js';
import { ConflictError, TooManyError } from '../errors.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { sandboxQuotaProblem } from './quota.js';

/** The metadata the new row gets, or a ConflictError / TooManyError. */
export function claim(store: Pick<SandboxStore, 'get' | 'usageOf'>, by: Principal, id: string, spec: SandboxSpec, requested: Metadata | undefined): Metadata {
  const prior = store.get(id);
  if (prior && isDeleted(prior) && !mayAct(by, prior.metadata)) throw new ConflictError(`sandbox id ${id} is taken; pick another`);
  const metadata = clientMetadata(requested ?? {});
  if (by.owner === null) return metadata;
  const problem = sandboxQuotaProblem(by.owner, by.limits, store.usageOf(by.owner), spec.memoryMb);
  if (problem) throw new TooManyError(problem);
  return { ...metadata, [OWNER_KEY]: by.owner };
}
