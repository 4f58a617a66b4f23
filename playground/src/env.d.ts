// Types of Vite's import suffixes the playground uses.

/** `./x.worker.ts?worker&url`: the URL of the bundled worker script. */
declare module '*?worker&url' {
  const url: string;
  export default url;
}
