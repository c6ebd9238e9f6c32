/** `policies.centralAdmission`: admission webhooks enforced inside the virtual cluster (pro). */
import {anyList, anything, closed, int, list, object, str, stringMap, strList} from './helpers.js'

const clientConfig = closed(
  {
    url: str('URL of the webhook, scheme://host:port/path; exclusive with service.'),
    service: closed(
      {
        namespace: str('Namespace of the service.'),
        name: str('Name of the service.'),
        path: str('URL path sent with every request.'),
        port: int('Port of the service; 443 by default.'),
      },
      'Service that serves the webhook; exclusive with url.',
    ),
    caBundle: str('Base64 PEM CA bundle that signed the webhook certificate.'),
  },
  'How the API server reaches the webhook.',
)

function webhookProps() {
  return {
    name: str('Fully qualified name of the webhook, e.g. policy.example.com.'),
    clientConfig,
    rules: anyList('Operations and resources the webhook applies to.'),
    failurePolicy: str('Ignore or Fail; Fail by default.'),
    matchPolicy: str('Exact or Equivalent.'),
    namespaceSelector: anything('Label selector on the namespace of the object.'),
    objectSelector: anything('Label selector on the object.'),
    sideEffects: str('Whether the webhook has side effects: None or NoneOnDryRun.'),
    timeoutSeconds: int('Timeout of a webhook call in seconds.'),
    admissionReviewVersions: strList('AdmissionReview versions the webhook accepts, in order of preference.'),
    matchConditions: anyList('CEL conditions a request must meet to be sent to the webhook.'),
  }
}

function configuration(webhook: ReturnType<typeof object>, description: string) {
  return object(
    {
      kind: str('Kind of the configuration object.'),
      apiVersion: str('API version of the configuration object.'),
      metadata: closed(
        {
          name: str('Name of the configuration.'),
          labels: stringMap('Labels of the configuration.'),
          annotations: stringMap('Annotations of the configuration.'),
        },
        'Metadata of the configuration.',
      ),
      webhooks: list(webhook, 'The webhooks of this configuration.'),
    },
    description,
  )
}

const validatingWebhook = object(webhookProps(), 'A validating admission webhook.')
const mutatingWebhook = object(
  {
    ...webhookProps(),
    reinvocationPolicy: str('Never or IfNeeded: whether the webhook may run again after other mutations.'),
  },
  'A mutating admission webhook.',
)

export const centralAdmission = closed(
  {
    validatingWebhooks: list(
      configuration(validatingWebhook, 'A ValidatingWebhookConfiguration.'),
      'Validating webhooks enforced in the virtual cluster.',
      [],
    ),
    mutatingWebhooks: list(
      configuration(mutatingWebhook, 'A MutatingWebhookConfiguration.'),
      'Mutating webhooks enforced in the virtual cluster.',
      [],
    ),
  },
  'Admission webhooks enforced centrally in the virtual cluster (pro).',
)
