/**
 * A school has at most one current supplier: the client holding its active consent. Another
 * supplier cannot take the school over by asserting consent itself — its consent is held as a
 * pending change of supplier until a DfE administrator, having checked with the school, confirms
 * or rejects it. Only the current supplier's figures are stored for the school.
 *
 * A client registered for the 2020 contract (`--no-consent`, its consent lives in the MIS) may
 * serve a school only while no supplier holds the school's consent.
 */

export type ConsentDecision =
  /** No supplier holds the school, or this one does: its consent is recorded. */
  | { kind: 'record' }
  /** Another supplier holds the school: refused, and held for a DfE administrator's decision. */
  | { kind: 'pending-change'; currentSupplier: string };

/** What becomes of a supplier's consent for a school whose current supplier is `currentSupplier`. */
export function decideConsent(supplier: string, currentSupplier: string | undefined): ConsentDecision {
  if (currentSupplier === undefined || currentSupplier === supplier) return { kind: 'record' };
  return { kind: 'pending-change', currentSupplier };
}

export interface Submitter {
  clientId: string;
  requiresConsent: boolean;
}

/**
 * Whether a client's figures for a school may be stored. The storing statement
 * (submission-store.ts) applies the same rule in SQL, in its one round trip.
 */
export function maySubmit(client: Submitter, currentSupplier: string | undefined): boolean {
  if (currentSupplier !== undefined) return currentSupplier === client.clientId;
  return !client.requiresConsent;
}

/** Why a client may not submit for a school: the `detail` of its VAL121. */
export function noConsentDetail(client: Submitter, currentSupplier: string | undefined): string {
  if (currentSupplier !== undefined && currentSupplier !== client.clientId)
    return "Another supplier holds this school's consent; a change of supplier must be confirmed by the DfE first";
  return 'The school has not given this supplier consent to send its attendance';
}
