/**
 * TLS on the shared Gateway: an HTTPS listener that terminates TLS with a certificate from a Secret
 * (`kubernetes.io/tls`) in the Gateway's namespace. The Secret is referenced, never created: its key belongs
 * to whoever issues the certificate (cert-manager, a cloud certificate service, an operator). Pure.
 */
import { LlmdConfigError, requireInteger, requireSecretName } from "../errors";

/** Port of the HTTPS listener when `tls.port` is unset. */
export const DEFAULT_TLS_PORT = 443;
/** Name of the HTTPS listener (a route may name it as `sectionName`; llmd's routes name none). */
export const HTTPS_LISTENER_NAME = "https";

/** Validated TLS settings. */
export interface GatewayTls {
    certificateSecretName: string;
    port: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates `tls`; undefined when it is not set. Errors name `tls.<field>`. */
export function resolveGatewayTls(value: unknown): GatewayTls | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isPlainObject(value)) {
        throw new LlmdConfigError("tls", value, "expected { certificateSecretName, port }");
    }
    const certificateSecretName = requireSecretName("tls.certificateSecretName", value.certificateSecretName, "expected the name of a kubernetes.io/tls Secret in the Gateway's namespace");
    const port = value.port === undefined ? DEFAULT_TLS_PORT : requireInteger("tls.port", value.port, 1, 65535);
    return { certificateSecretName, port };
}
