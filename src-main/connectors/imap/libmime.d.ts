/** The part of libmime (mailparser's own header decoder) the quick path uses; the package ships no types. */
declare module 'libmime' {
  const libmime: {
    /** Decodes RFC 2047 encoded words (`=?charset?B|Q?…?=`) in a header value; other text is kept. */
    decodeWords(value: string): string;
  };
  export default libmime;
}
