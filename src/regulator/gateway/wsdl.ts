/**
 * The service's WSDL and schemas: the real ISPP gateway's contract (reference/ispp-contract),
 * unchanged but for the addresses, so a client generated from either works against edgate by
 * changing only its endpoint. `?wsdl` serves the documents as published (the WSDL importing
 * `?wsdl=wsdl0`, `?xsd=xsd0`, `?xsd=xsd1`); `?singleWsdl` one flattened document.
 */
import { readFileSync } from 'node:fs';
import { referencePath } from '../../platform/reference.ts';

const read = (name: string) => readFileSync(referencePath(`ispp-contract/${name}`), 'utf8');

const ORIGINAL_ADDRESS = 'https://infogateway.ofsted.gov.uk/ISPPGateway/ISPPGatewayServices.svc';

export interface ServiceContract {
  /** keyed by the query: 'wsdl', 'wsdl0', 'xsd0', 'xsd1', 'singleWsdl' */
  documents: Map<string, string>;
}

export function serviceContract(endpointUrl: string): ServiceContract {
  const addressed = (text: string) =>
    text
      .split(ORIGINAL_ADDRESS)
      .join(endpointUrl)
      .replace('location="./wsdl0.xml"', `location="${endpointUrl}?wsdl=wsdl0"`)
      .replace('location="./wsdl.xml"', `location="${endpointUrl}?wsdl"`)
      .split('schemaLocation="./xsd0.xml"')
      .join(`schemaLocation="${endpointUrl}?xsd=xsd0"`)
      .split('schemaLocation="./xsd1.xml"')
      .join(`schemaLocation="${endpointUrl}?xsd=xsd1"`);
  const wsdl = addressed(read('wsdl.xml'));
  const wsdl0 = addressed(read('wsdl0.xml'));
  const xsd0 = addressed(read('xsd0.xml'));
  const xsd1 = addressed(read('xsd1.xml'));
  return {
    documents: new Map([
      ['wsdl', wsdl],
      ['wsdl0', wsdl0],
      ['xsd0', xsd0],
      ['xsd1', xsd1],
      ['singleWsdl', singleWsdl(endpointUrl)],
    ]),
  };
}

const between = (text: string, start: string, end: string): string => {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`contract document lacks ${start}…${end}`);
  return text.slice(from, to + end.length);
};

const schemaBody = (xsd: string) =>
  xsd.replace(/^<\?xml[^>]*>\s*/, '').replace(/<xs:import schemaLocation="[^"]*"/g, '<xs:import');

/**
 * One document in the service's namespace: the policy and binding (from wsdl0) and both schemas
 * inline. The binding moves from tempuri.org into the service's namespace, as WCF does for its
 * own singleWsdl; its name, operations, actions and policy are the same.
 */
function singleWsdl(endpointUrl: string): string {
  const wsdl = read('wsdl.xml');
  const wsdl0 = read('wsdl0.xml');
  const root = between(wsdl, '<wsdl:definitions', '>');
  // The outer policy: from its start to the last </wsp:Policy> before the import that follows it.
  const policyStart = wsdl0.indexOf('<wsp:Policy wsu:Id=');
  const policyEnd =
    wsdl0.lastIndexOf('</wsp:Policy>', wsdl0.indexOf('<wsdl:import')) + '</wsp:Policy>'.length;
  if (policyStart < 0 || policyEnd < policyStart) throw new Error('wsdl0 lacks its policy');
  const policy = wsdl0.slice(policyStart, policyEnd);
  const binding = between(wsdl0, '<wsdl:binding', '</wsdl:binding>').replace(
    'type="i0:ISPPGatewayServices"',
    'type="tns:ISPPGatewayServices"',
  );
  const messagesAndPortType = between(wsdl, '<wsdl:message', '</wsdl:portType>');
  const service = between(wsdl, '<wsdl:service', '</wsdl:service>')
    .replace(
      'binding="i0:CustomMultiFactorBinding_ISPPGatewayServices"',
      'binding="tns:CustomMultiFactorBinding_ISPPGatewayServices"',
    )
    .split(ORIGINAL_ADDRESS)
    .join(endpointUrl);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    root,
    '    ' + policy,
    '    <wsdl:types>',
    schemaBody(read('xsd1.xml')),
    schemaBody(read('xsd0.xml')),
    '    </wsdl:types>',
    '    ' + messagesAndPortType,
    '    ' + binding,
    '    ' + service,
    '</wsdl:definitions>',
    '',
  ].join('\n');
}
