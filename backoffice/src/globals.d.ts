// Values baked in by backoffice/build.ts (esbuild `define`).
declare const __EMILY_SUPABASE_URL__: string;
declare const __EMILY_ANON_KEY__: string;
declare const __EMILY_WIDGET_URL__: string;
