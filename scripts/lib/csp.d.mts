export declare const LOOPBACK_SOURCES: readonly string[];
export declare function contentSecurityPolicy(connectSources: readonly string[]): string;
export declare function configuredConnectSources(config: unknown): string[];
export declare function connectSource(server: string): string;
export declare function withPolicy(html: string, policy: string): string;
export declare function policyOf(html: string): string | undefined;
export declare function writeContentSecurityPolicy(dir: string, also?: readonly string[]): string;
export declare function connectSourcesOfConfigIn(dir: string): string[];
