#pragma once
// Alert values as playbook variables: what `<pod>` becomes when an alert starts a run.

#include <map>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "playbook/model.h"

namespace runbook::alert {

/// A value for a variable and where in the alert it came from.
struct BoundValue {
  std::string value;
  /// "label:pod", "annotation:summary", "alert:name", "alert:status", "alert:fingerprint"
  std::string from;
};

/// The alert's values for the playbook's variables, keyed by playbook::binding_key (feed the
/// values to playbook::fill, which shell-quotes them; the values are untrusted).
///
/// On offer: every label and annotation under binding_key(its name) (a label wins over an
/// annotation with the same key), plus ALERTNAME, ALERT_STATUS and FINGERPRINT. A variable binds
/// by its key, else by its alias (playbook::alias_key); `{{ .Labels.x }}` and
/// `{{ .Annotations.x }}` look in that map first.
///
/// Explicit mappings in the front matter win over names; their source is `labels.NAME`,
/// `annotations.NAME` or a bare NAME (a label, else an annotation, else alertname / alert_status /
/// fingerprint):
///     alert_variables: {pod-name: pod, message: annotations.summary}
///     variables: {pod-name: {label: pod}}     # the front matter schema's form, a label
///     labels: {pod: pod-name}                 # likewise: alert label -> variable name
/// (alert_variables wins over variables.*.label, which wins over labels). A mapped source the
/// alert lacks leaves the variable unbound (the operator is asked) rather than falling back to
/// name matching.
///
/// Returned: the variables the playbook's steps use, and the ones a mapping names. Malformed
/// mappings are skipped; when `warnings` is given, each problem is added to it as a sentence.
std::map<std::string, BoundValue> alert_variables(const Alert& alert, const playbook::Playbook& pb,
                                                  std::vector<std::string>* warnings = nullptr);

}  // namespace runbook::alert
