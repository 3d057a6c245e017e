// Values esbuild bakes in at build time (widget/build.ts `define`).
declare const __EMILY_SUPABASE_URL__: string;
declare const __EMILY_ANON_KEY__: string;
