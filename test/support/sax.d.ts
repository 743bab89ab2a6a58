/** The part of sax (a dependency of xml2js, already installed) the XML well-formedness check uses; it has no types. */
declare module 'sax' {
  interface SaxParser {
    onopentag: (tag: unknown) => void;
    onclosetag: (name: string) => void;
    ontext: (text: string) => void;
    onerror: (error: Error) => void;
    write(text: string): SaxParser;
    close(): SaxParser;
  }
  const sax: { parser(strict: boolean): SaxParser };
  export default sax;
}
