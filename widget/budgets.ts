// Size budgets of the shipped widget files, gzipped (issue 6). Counted in decimal kilobytes,
// the stricter reading of "3 KB" and "35 KB".
export const SIZE_BUDGETS = {
  'emily-loader.js': 3_000,
  'emily-chat.js': 35_000,
} as const;

export type WidgetFile = keyof typeof SIZE_BUDGETS;
