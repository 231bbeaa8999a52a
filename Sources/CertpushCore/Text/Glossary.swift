/// E5: the words the console's screens use, each explained in plain words
/// for someone on their first day; `?` shows those of the screen in view.
public enum Glossary {
    public static func explain(_ word: String) -> String? { terms[word] }

    public static let terms: [String: String] = [
        "official": "issued through this certificate manager (in the cloud, bought and issued there). The other source is uploaded.",
        "uploaded": "imported from elsewhere (a file you brought in), with or without its private key.",
        "issued": "valid and ready; an official certificate, or an uploaded one whose private key is not held here.",
        "hosted": "uploaded with its private key, which certpush keeps sealed: it can be pushed and deployed.",
        "pending": "applied for but not issued yet: nothing can be done with it until it is.",
        "expired": "past its Not After date; computed from the clock, so a certificate becomes expired on its own.",
        "revoked": "withdrawn by its issuer: never push or deploy it.",
        "shared": "an uploaded certificate free to deploy: it takes no deployment quota.",
        "SM": "the Chinese national algorithms (SM2 keys, SM3 hashes): accepted only by CDN, DCDN and Anti-DDoS.",
        "private key": "the secret half of the certificate; never shown. Without it here (a manual CSR) certpush cannot push or deploy it.",
        "push": "copy a certificate into a cloud service's own certificate store (CDN, WAF, ELB). It is not in use until it is bound.",
        "region": "a cloud's location (cn-north-4, ap-southeast-1). Regional services keep one store per region; one push takes 1 to 10.",
        "account": "where resources live and who acts on them: the training sandbox, or in a live workspace a cloud account or your servers.",
        "bind": "put a certificate on a resource (a listener, a domain), where clients see it. Configure Now after a push leads here.",
        "pair": "one certificate on one resource in a task; each resource gets exactly one, with the certificate that covers it best.",
        "quota": "deployment units: each pair of an uploaded, unshared certificate takes one; a failed pair gives it back.",
        "smart matching": "the resources that already serve a domain the certificate covers (a wildcard covers one label), offered in one go.",
        "roll back": "put back the certificate a resource had before the task (or none). Only a succeeded resource can be rolled back.",
        "retry": "deploy a task's failed resources again, without a new task; it takes quota again and gives it back if it fails again.",
        "partially failed": "some resources of the task succeeded and some failed; each failed one says why.",
        "scheduled": "a task waiting for its custom time; an open console or `certpush tasks run-due` from cron runs it then.",
        "planned failure": "a training resource made to fail on purpose (a listener in maintenance); f in the service view ends it.",
        "exercise": "a step of the work to practise; marked done as soon as the workspace shows it was done.",
        "reset": "the seeded sandbox again, its quota full and every exercise to do; only in a training workspace.",
    ]
}
