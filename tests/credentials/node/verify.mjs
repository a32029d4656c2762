// A second independent verifier of the plugin's credentials, on Digital Bazaar's JavaScript VC stack.
//
//   node verify.mjs INPUT.json
//
// INPUT.json is {"credentials": [...], "documents": {url: document}}. The documents are what the test fetched
// from the plugin: the did:web DID documents (keyed by their DID) and the status documents the credentials name
// (Bitstring status list credentials, 1EdTech revocation lists; keyed by their URL).
//
// Prints one JSON line per credential, in order: {"index": n, "verified": true|false, "error": "..."}.
//
// Strict: every canonicalisation runs in jsonld's safe mode (the eddsa-rdfc-2022 cryptosuite and
// @digitalbazaar/data-integrity pass `safe: true`; an undefined term, a dropped property or a relative IRI
// throws), and the document loader serves only the bundled copies of the published contexts
// (tests/standards/contexts) and the DID documents handed in; anything else (any other URL, any network) throws.
// Status: a BitstringStatusListEntry is checked against its status list credential, which must itself verify
// (same suite, same loader), be the credential issuer's and have the entry's bit unset; a 1EdTechRevocationList
// entry against the issuer's revocation list.

import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const CONTEXTS_DIR = new URL('../../standards/contexts/', import.meta.url);
const CONTEXTS = {  // published context URL -> unmodified copy (tests/standards/README)
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-3.0.3.json',
  'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json': 'clr-v2p0-2.0.1.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
  'https://www.w3.org/ns/credentials/undefined-terms/v2': 'undefined-terms-v2.jsonld',
};
const contexts = Object.fromEntries(Object.entries(CONTEXTS).map(
  ([url, file]) => [url, JSON.parse(readFileSync(fileURLToPath(new URL(file, CONTEXTS_DIR)), 'utf8'))]));

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const documents = input.documents || {};

function loaded(url, document) {
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
}

async function documentLoader(url) {
  if(Object.hasOwn(contexts, url)) {
    return loaded(url, contexts[url]);
  }
  if(url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#');
    const controller = Object.hasOwn(documents, did) ? documents[did] : undefined;
    if(!controller || controller.id !== did) {
      throw new Error(`documentLoader: no DID document was handed in for ${did}`);
    }
    if(fragment === undefined) {
      return loaded(url, controller);
    }
    const method = (controller.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`documentLoader: ${did} has no verification method ${url}`);
    }
    return loaded(url, method);
  }
  throw new Error(`documentLoader: ${url} is neither a bundled context nor a DID document handed in`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

function id(value) {
  return value && typeof value === 'object' ? value.id : value;
}

function statusDocument(url) {
  if(!Object.hasOwn(documents, url)) {
    throw new Error(`status: the status document ${url} was not handed in`);
  }
  return documents[url];
}

function bitIsSet(encodedList, index) {
  if(typeof encodedList !== 'string' || !encodedList.startsWith('u')) {
    throw new Error('status: encodedList is not multibase base64url ("u...")');
  }
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  if(!Number.isInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new Error(`status: statusListIndex ${index} is outside the list`);
  }
  return (bits[index >> 3] & (0x80 >> (index % 8))) !== 0;
}

async function checkStatus({credential}) {
  for(const entry of [].concat(credential.credentialStatus)) {
    if(entry.type === 'BitstringStatusListEntry') {
      const listed = statusDocument(entry.statusListCredential);
      const result = await verify(listed);
      if(!result.verified) {
        throw new Error(`status: the status list credential ${entry.statusListCredential} does not verify: ` +
          result.error);
      }
      if(!listed.type.includes('BitstringStatusListCredential') ||
        listed.credentialSubject.type !== 'BitstringStatusList') {
        throw new Error(`status: ${entry.statusListCredential} is not a BitstringStatusListCredential`);
      }
      if(id(listed.issuer) !== id(credential.issuer)) {
        throw new Error(`status: the status list is issued by ${id(listed.issuer)}, not by the credential's issuer`);
      }
      if(listed.credentialSubject.statusPurpose !== entry.statusPurpose) {
        throw new Error(`status: the list's purpose is not the entry's (${entry.statusPurpose})`);
      }
      if(bitIsSet(listed.credentialSubject.encodedList, Number(entry.statusListIndex))) {
        throw new Error(`status: ${entry.statusPurpose} bit ${entry.statusListIndex} is set: the credential is ` +
          (entry.statusPurpose === 'revocation' ? 'revoked' : entry.statusPurpose));
      }
    } else if(entry.type === '1EdTechRevocationList') {
      const list = statusDocument(entry.id);
      if(list.id !== entry.id || list.issuer !== id(credential.issuer)) {
        throw new Error(`status: the revocation list ${entry.id} is not the credential issuer's`);
      }
      const revoked = (list.revokedCredentials || []).find(r => r.id === credential.id);
      if(revoked) {
        throw new Error(`status: revoked (1EdTechRevocationList): ${revoked.revocationReason || 'no reason'}`);
      }
    } else {
      throw new Error(`status: unknown credentialStatus type ${JSON.stringify(entry.type)}`);
    }
  }
  return {verified: true};
}

// Every error the result holds, each once, with jsonld's safe-mode details (the event code and the term).
function describe(result) {
  const seen = new Set();
  const out = [];
  const visit = error => {
    if(!error || seen.has(error)) {
      return;
    }
    seen.add(error);
    if(Array.isArray(error.errors)) {
      error.errors.forEach(visit);
      if(error.errors.length) {
        return;
      }
    }
    let text = `${error.name || 'Error'}: ${error.message}`;
    const event = error.details && error.details.event;
    if(event) {
      const details = event.details || {};
      const what = details.property || details.type || details.id || details.iri || details.term || '';
      text += ` (${event.code}${what ? ` ${JSON.stringify(what)}` : ''})`;
    }
    const cause = error.cause || (error.details && error.details.cause);
    if(cause) {
      text += ` [cause: ${cause.message || cause}]`;
    }
    out.push(text);
  };
  visit(result.error);
  for(const each of result.results || []) {
    visit(each.error);
    if(each.purposeResult) {
      visit(each.purposeResult.error);
    }
  }
  if(result.statusResult) {
    visit(result.statusResult.error);
  }
  return out.join('; ');
}

async function verify(credential) {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  return {verified: result.verified === true, error: result.verified === true ? '' : describe(result)};
}

for(const [index, credential] of input.credentials.entries()) {
  let verdict;
  try {
    verdict = await verify(credential);
  } catch(error) {
    verdict = {verified: false, error: describe({error})};
  }
  if(!verdict.verified && !verdict.error) {
    verdict.error = 'refused without an error';
  }
  process.stdout.write(JSON.stringify({index, ...verdict}) + '\n');
}
