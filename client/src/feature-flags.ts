// Atlaskit components ask @atlaskit/platform-feature-flags about unreleased behaviour. Without a
// resolver it asks Atlassian's feature-gate client, which only Atlassian's own products initialize, and
// warns in the console. Every flag is off here: the components behave as released.
declare global {
  interface Window {
    __PLATFORM_FEATURE_FLAGS__?: { booleanResolver?: ((flag: string) => boolean) | undefined };
  }
}

export function turnOffAtlaskitFeatureFlags(): void {
  window.__PLATFORM_FEATURE_FLAGS__ ??= {};
  window.__PLATFORM_FEATURE_FLAGS__.booleanResolver = () => false;
}
