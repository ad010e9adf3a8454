/** The Pod Security Standards checker, shared with the code that labels namespaces (components/render). */
export { baselineViolations, restrictedViolations } from "../../components/render/pod-security-standards";
