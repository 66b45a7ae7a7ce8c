// elkjs ships its browser API as lib/elk-api.js with types in lib/elk-api.d.ts; the explicit
// ".js" path (which Vite needs) is mapped to them here.
declare module 'elkjs/lib/elk-api.js' {
  export * from 'elkjs/lib/elk-api';
  export { default } from 'elkjs/lib/elk-api';
}
