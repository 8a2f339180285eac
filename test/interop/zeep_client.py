"""Collect one LA's childcare register from the ISPP gateway with zeep, as a Python client would.

Run with Debian's interpreter (/usr/bin/python3) and packages: python3-zeep, python3-xmlsec.
The WSDL is read from the server; zeep adds the WS-Addressing headers (Action, MessageID, To)
itself because the contract declares wsaw:Action (zeep.wsa.WsAddressingPlugin). The Security
header carries a Timestamp, a UsernameToken (PasswordText) and an X.509 signature over the
Timestamp and wsa:To, as the contract's policy asks.

The password is read from the environment variable ISPP_PASSWORD (not the command line).
Writes RegisterData (UTF-8) to --out and prints the Status code. On a SOAP fault prints
"Fault: <code>/<subcode>: <reason>" and exits 2.
"""

import argparse
import base64
import datetime
import os
import ssl
import sys

import requests
import xmlsec
from lxml import etree
from zeep import Client, Settings
from zeep import ns
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse.compose import Compose
from zeep.wsse.signature import BinarySignature, _sign_node
from zeep.wsse.username import UsernameToken
from zeep.wsse.utils import WSSE, WSU, ensure_id, get_security_header, get_timestamp

SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
X509V3 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
)
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
TIMESTAMP_SECONDS = 300  # what a WCF client sends


class TimestampAndToSignature(BinarySignature):
    """zeep's BinarySignature signs Body and Timestamp; this one adds the Timestamp and signs
    it and wsa:To (RSA-SHA1, SHA-1, exclusive C14N), with the certificate in a
    BinarySecurityToken. zeep applies WS-Security after WS-Addressing, so wsa:To is there."""

    def apply(self, envelope, headers):
        security = get_security_header(envelope)
        now = datetime.datetime.now(datetime.timezone.utc)
        timestamp = WSU.Timestamp(
            WSU.Created(get_timestamp(now, zulu_timestamp=True)),
            WSU.Expires(
                get_timestamp(
                    now + datetime.timedelta(seconds=TIMESTAMP_SECONDS), zulu_timestamp=True
                )
            ),
        )
        security.insert(0, timestamp)  # Layout Strict: the Timestamp first
        to = envelope.find("{%s}Header/{%s}To" % (SOAP12_ENV, ns.WSA))
        if to is None:
            raise ValueError("no wsa:To header to sign")

        token = WSSE.BinarySecurityToken(
            self._certificate_base64(), ValueType=X509V3, EncodingType=BASE64_BINARY
        )
        token_id = ensure_id(token)
        security.append(token)

        signature = xmlsec.template.create(
            envelope,
            xmlsec.Transform.EXCL_C14N,
            self.signature_method or xmlsec.Transform.RSA_SHA1,
        )
        key_info = xmlsec.template.ensure_key_info(signature)
        security.append(signature)
        ctx = xmlsec.SignatureContext()
        ctx.key = xmlsec.Key.from_memory(self.key_data, xmlsec.KeyFormat.PEM, self.password)
        # zeep's own (private) helper: gives each a wsu:Id and adds its Reference (exc-C14N).
        for node in (timestamp, to):
            _sign_node(ctx, signature, node, self.digest_method)
        ctx.sign(signature)
        reference = etree.SubElement(
            etree.SubElement(key_info, "{%s}SecurityTokenReference" % ns.WSSE),
            "{%s}Reference" % ns.WSSE,
        )
        reference.set("URI", "#" + token_id)
        reference.set("ValueType", X509V3)
        return envelope, headers

    def verify(self, envelope):
        # The service does not sign its responses (HTTPS protects them); nothing to check.
        return envelope

    def _certificate_base64(self):
        der = ssl.PEM_cert_to_DER_cert(self.cert_data.decode("ascii"))
        return base64.b64encode(der).decode("ascii")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--wsdl", default="wsdl", help="the metadata query: wsdl or singleWsdl")
    parser.add_argument("--ca", required=True, help="PEM file of the CA to trust")
    parser.add_argument("--username", required=True)
    parser.add_argument("--cert", required=True, help="PEM certificate file")
    parser.add_argument("--key", required=True, help="PEM private key file")
    parser.add_argument("--la", required=True, help="3-digit DfE LA code")
    parser.add_argument("--out", required=True, help="file for RegisterData")
    parser.add_argument(
        "--pad",
        type=int,
        default=0,
        help="spaces sent after the LA code: makes the request that many bytes larger",
    )
    args = parser.parse_args()

    session = requests.Session()
    session.verify = args.ca
    # Otherwise requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override session.verify (and
    # the environment's proxies apply): trust exactly the CA given, talk to the server directly.
    session.trust_env = False
    client = Client(
        "%s?%s" % (args.endpoint, args.wsdl),
        transport=Transport(session=session),
        # A large LA's RegisterData is one text node of several MB: let lxml read it.
        settings=Settings(xml_huge_tree=True),
        wsse=Compose(
            [
                UsernameToken(args.username, os.environ["ISPP_PASSWORD"]),
                TimestampAndToSignature(args.key, args.cert),
            ]
        ),
    )
    try:
        result = client.service.GetLocalAuthorityChildcareRegister(
            localAuthorityRequest={"LocalAuthorityCode": args.la + " " * args.pad}
        )
    except Fault as fault:
        subcodes = "".join("/" + etree.QName(q).localname for q in fault.subcodes or [])
        print("Fault: %s%s: %s" % (fault.code, subcodes, fault.message))
        return 2
    if result.RegisterData is not None:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            out.write(result.RegisterData)
    print(result.Status.Code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
