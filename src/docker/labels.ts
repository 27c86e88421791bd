/** Label keys are constants: every query and every spec uses these. */
export const LABEL_MANAGED = 'sandboxed.managed';
export const LABEL_ID = 'sandboxed.id';
export const LABEL_INSTANCE = 'sandboxed.instance';
export const LABEL_KIND = 'sandboxed.kind';
/** LABEL_KIND of a warm-pool container: the reconciler reaches it only through a sandbox row that names it. */
export const KIND_POOL = 'pool';
