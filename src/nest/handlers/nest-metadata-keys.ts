// The metadata keys under which @nestjs/common's decorators store enhancers and parameter
// decorators. They are not exported from a public entry point that Nest 11 and 12 share,
// and have not changed across majors.
export const ROUTE_ARGS_METADATA = '__routeArguments__';
export const GUARDS_METADATA = '__guards__';
export const PIPES_METADATA = '__pipes__';
export const INTERCEPTORS_METADATA = '__interceptors__';
export const EXCEPTION_FILTERS_METADATA = '__exceptionFilters__';

export const ENHANCER_METADATA_KEYS = [
  GUARDS_METADATA,
  PIPES_METADATA,
  INTERCEPTORS_METADATA,
  EXCEPTION_FILTERS_METADATA,
] as const;
