/** A school as the DfE's register (GIAS) describes it, and its `GET /provider/{urn}` view. */

export interface School {
  /** 6-digit Unique Reference Number, 100000–999999. */
  urn: number;
  name: string;
  /** 3-digit DfE LA code of a live local authority. */
  laCode: string;
  /** GIAS "TypeOfEstablishment (name)", e.g. "Academy converter". */
  typeOfEstablishment: string;
  /** GIAS "PhaseOfEducation (name)", e.g. "Primary". */
  phaseOfEducation: string;
  /** GIAS "EstablishmentStatus (name)", e.g. "Open". */
  status: string;
  street: string | null;
  town: string | null;
  postcode: string | null;
}

export interface ProviderView {
  urn: number;
  name: string;
  address: string;
  phaseOfEducation: string;
  schoolType: string;
}

/** The body of `GET /provider/{urn}`: the address as one line, empty parts left out. */
export function providerView(school: School): ProviderView {
  return {
    urn: school.urn,
    name: school.name,
    address: [school.street, school.town, school.postcode]
      .filter((part) => part !== null && part !== '')
      .join(', '),
    phaseOfEducation: school.phaseOfEducation,
    schoolType: school.typeOfEstablishment,
  };
}
