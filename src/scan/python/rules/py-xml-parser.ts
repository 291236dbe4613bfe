/** XML parsed with the standard library or lxml instead of defusedxml. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const ETREE = ['parse', 'fromstring', 'fromstringlist', 'XML', 'iterparse', 'XMLParser', 'XMLPullParser'];
const PARSERS = [
  ...ETREE.map((f) => `xml.etree.ElementTree.${f}`),
  ...ETREE.map((f) => `xml.etree.cElementTree.${f}`),
  'xml.dom.minidom.parse', 'xml.dom.minidom.parseString',
  'xml.dom.pulldom.parse', 'xml.dom.pulldom.parseString',
  'xml.dom.expatbuilder.parse', 'xml.dom.expatbuilder.parseString',
  'xml.sax.parse', 'xml.sax.parseString', 'xml.sax.make_parser',
  'xml.parsers.expat.ParserCreate', 'pyexpat.ParserCreate',
  ...ETREE.map((f) => `lxml.etree.${f}`),
  'lxml.objectify.parse', 'lxml.objectify.fromstring',
];

export const rule: PythonRule = {
  info: {
    id: 'py-xml-parser',
    kind: 'code',
    severity: 'medium',
    confidence: 'medium',
    title: 'XML parsed without defusedxml',
    help: 'The standard library\'s XML parsers (xml.etree, minidom, pulldom, sax, expat) and lxml expand entities: a small document can blow up to gigabytes (billion laughs) and, with lxml or older parsers, read local files or URLs (XXE). For XML you did not write, use defusedxml (defusedxml.ElementTree.parse is a drop-in replacement).',
    bandit: ['B313', 'B314', 'B315', 'B316', 'B317', 'B318', 'B319', 'B320', 'B405', 'B406', 'B407', 'B408', 'B409', 'B410'],
  },
  calls: PARSERS,
  check(call, file, report, callee) {
    const lxml = callee!.startsWith('lxml.');
    const resolve = file.argumentsOf(call).keywords.get('resolve_entities');
    if (lxml && resolve?.type === 'false') return; // an lxml parser told not to expand entities
    const module = callee!.slice(0, callee!.lastIndexOf('.'));
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: lxml && resolve?.type === 'true' ? 'high' : undefined,
      message: `${callee}() parses XML with ${module}, which expands entities: untrusted XML can exhaust memory (billion laughs)${lxml ? ' or read local files and URLs (XXE)' : ''}.`,
      fix: lxml
        ? 'Parse untrusted XML with defusedxml.lxml or an lxml XMLParser(resolve_entities=False, no_network=True); prefer defusedxml.ElementTree.'
        : `Use defusedxml instead (e.g. defusedxml.ElementTree.${callee!.split('.').pop()}), a drop-in replacement that refuses entity tricks.`,
    });
  },
};
