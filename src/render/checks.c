/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check-host renderers: text in virt-host-validate's "Checking ...: PASS"
 * layout, JSON, a Nagios plugin line with perfdata, and the Prometheus text
 * exposition format for node_exporter's textfile collector.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tceiommu/checks.h"
#include "tceiommu/out.h"
#include "tceiommu/util.h"

static void count(const struct tce_checks_doc *d, unsigned n[TCE_N_LEVELS])
{
	memset(n, 0, sizeof(unsigned) * TCE_N_LEVELS);
	for (size_t i = 0; i < d->n; i++)
		n[d->res[i].level]++;
}

static const char *color_of(enum tce_level l)
{
	switch (l) {
	case TCE_LVL_PASS:
		return "\033[32m";
	case TCE_LVL_WARN:
		return "\033[33m";
	case TCE_LVL_FAIL:
		return "\033[31m";
	case TCE_LVL_UNKNOWN:
		return "\033[35m";
	default:
		return "\033[34m";
	}
}

int tce_render_checks_text(const struct tce_checks_doc *d, FILE *f, bool color, bool quiet,
			   bool verbose)
{
	unsigned n[TCE_N_LEVELS];

	for (size_t i = 0; i < d->n; i++) {
		const struct tce_check_result *r = &d->res[i];
		_cleanup_free_ char *msg = tce_escape_terminal(r->message ? r->message : "");
		char label[128];
		size_t len;

		if (quiet && r->level != TCE_LVL_WARN && r->level != TCE_LVL_FAIL &&
		    r->level != TCE_LVL_UNKNOWN)
			continue;
		snprintf(label, sizeof(label), "Checking %s ", r->check->title);
		len = strlen(label);
		while (len < 60 && len < sizeof(label) - 1)
			label[len++] = '.';
		label[len] = '\0';
		fprintf(f, "%s: %s%s%s (%s)\n", label, color ? color_of(r->level) : "",
			tce_level_name(r->level), color ? "\033[0m" : "", msg ? msg : "");
		if (r->hint && (r->level == TCE_LVL_WARN || r->level == TCE_LVL_FAIL ||
				r->level == TCE_LVL_UNKNOWN || verbose)) {
			_cleanup_free_ char *h = tce_escape_terminal(r->hint);

			fprintf(f, "    hint: %s\n", h ? h : "");
		}
		if (verbose) {
			fprintf(f, "    id: %s\n", r->check->id);
			for (size_t e = 0; e < r->n_evidence; e++) {
				_cleanup_free_ char *s = tce_escape_terminal(r->evidence[e].source);
				_cleanup_free_ char *v = tce_escape_terminal(r->evidence[e].value);

				fprintf(f, "    evidence: %s: %s\n", s ? s : "", v ? v : "");
			}
		}
	}
	if (!quiet) {
		count(d, n);
		fprintf(f, "\nsummary: %u PASS, %u WARN, %u FAIL, %u UNKNOWN, %u SKIP, %u INFO\n",
			n[TCE_LVL_PASS], n[TCE_LVL_WARN], n[TCE_LVL_FAIL], n[TCE_LVL_UNKNOWN],
			n[TCE_LVL_SKIP], n[TCE_LVL_INFO]);
	}
	return ferror(f) ? -EIO : 0;
}

/* Host strings are raw bytes; JSON must be UTF-8. */
#define jstr tce_json_str

int tce_render_checks_json(const struct tce_checks_doc *d, FILE *f)
{
	json_object *root = json_object_new_object(), *a = json_object_new_array(), *sum;
	unsigned n[TCE_N_LEVELS];

	json_object_object_add(root, "schema_version",
			       json_object_new_int(TCE_JSON_SCHEMA_VERSION));
	json_object_object_add(root, "tool", json_object_new_string("tceiommu " TCEIOMMU_VERSION));
	json_object_object_add(root, "kernel_release", jstr(d->kernel_release));
	json_object_object_add(root, "platform", jstr(d->platform));
	for (size_t i = 0; i < d->n; i++) {
		const struct tce_check_result *r = &d->res[i];
		json_object *o = json_object_new_object(), *ev = json_object_new_array();

		json_object_object_add(o, "id", json_object_new_string(r->check->id));
		json_object_object_add(o, "title", json_object_new_string(r->check->title));
		json_object_object_add(o, "level",
				       json_object_new_string(tce_level_name(r->level)));
		json_object_object_add(o, "message", jstr(r->message));
		json_object_object_add(o, "hint", jstr(r->hint));
		for (size_t e = 0; e < r->n_evidence; e++) {
			json_object *eo = json_object_new_object();

			json_object_object_add(eo, "source", jstr(r->evidence[e].source));
			json_object_object_add(eo, "value", jstr(r->evidence[e].value));
			json_object_array_add(ev, eo);
		}
		json_object_object_add(o, "evidence", ev);
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "checks", a);
	count(d, n);
	sum = json_object_new_object();
	for (int l = 0; l < TCE_N_LEVELS; l++) {
		char key[16];

		snprintf(key, sizeof(key), "%s", tce_level_name((enum tce_level)l));
		for (char *c = key; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		json_object_object_add(sum, key, json_object_new_int((int)n[l]));
	}
	json_object_object_add(sum, "exit_status", json_object_new_int(d->exit_status));
	json_object_object_add(root, "summary", sum);
	return tce_json_write(root, f);
}

/*
 * Nagios plugin API: one line "SERVICE STATUS - text | perfdata", the status
 * matching the exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), then the
 * long text: one line a problem.
 */
int tce_render_checks_nagios(const struct tce_checks_doc *d, FILE *f)
{
	static const char *const status[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	unsigned n[TCE_N_LEVELS];
	char ids[512] = "";
	enum tce_level worst = d->exit_status == 2   ? TCE_LVL_FAIL
			       : d->exit_status == 1 ? TCE_LVL_WARN
			       : d->exit_status == 3 ? TCE_LVL_UNKNOWN
						     : TCE_LVL_PASS;

	count(d, n);
	for (size_t i = 0; i < d->n; i++)
		if (worst != TCE_LVL_PASS && d->res[i].level == worst &&
		    strlen(ids) < sizeof(ids) - 64)
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s",
				 ids[0] ? ", " : "", d->res[i].check->id);
	fprintf(f, "TCEIOMMU %s - ", status[d->exit_status & 3]);
	if (worst == TCE_LVL_PASS)
		fprintf(f, "%u checks passed", n[TCE_LVL_PASS]);
	else
		fprintf(f, "%u %s: %s", n[worst], tce_level_name(worst), ids);
	fprintf(f,
		" | pass=%u;;;0 warn=%u;;;0 fail=%u;;;0 unknown=%u;;;0 skip=%u;;;0 info=%u;;;0\n",
		n[TCE_LVL_PASS], n[TCE_LVL_WARN], n[TCE_LVL_FAIL], n[TCE_LVL_UNKNOWN],
		n[TCE_LVL_SKIP], n[TCE_LVL_INFO]);
	for (size_t i = 0; i < d->n; i++) {
		const struct tce_check_result *r = &d->res[i];
		_cleanup_free_ char *m = NULL;

		if (r->level != TCE_LVL_WARN && r->level != TCE_LVL_FAIL &&
		    r->level != TCE_LVL_UNKNOWN)
			continue;
		/* '|' starts perfdata in the plugin API; keep it out of the text */
		m = tce_escape_terminal(r->message ? r->message : "");
		for (char *p = m; p && *p; p++)
			if (*p == '|')
				*p = '/';
		fprintf(f, "%s %s: %s\n", tce_level_name(r->level), r->check->id, m ? m : "");
	}
	return ferror(f) ? -EIO : 0;
}

char *tce_escape_prometheus(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n * 2 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '\\' || *s == '"') {
			*o++ = '\\';
			*o++ = *s;
		} else if (*s == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

int tce_render_checks_prometheus(const struct tce_checks_doc *d, FILE *f, double now)
{
	fputs("# HELP tceiommu_check_status Result of a tceiommu check-host check: 0 ok, 1 warn, "
	      "2 fail, 3 unknown.\n# TYPE tceiommu_check_status gauge\n",
	      f);
	for (size_t i = 0; i < d->n; i++) {
		const struct tce_check_result *r = &d->res[i];
		_cleanup_free_ char *id = tce_escape_prometheus(r->check->id);
		int v;

		switch (r->level) {
		case TCE_LVL_PASS:
			v = 0;
			break;
		case TCE_LVL_WARN:
			v = 1;
			break;
		case TCE_LVL_FAIL:
			v = 2;
			break;
		case TCE_LVL_UNKNOWN:
			v = 3;
			break;
		default:
			continue; /* SKIP and INFO are left out */
		}
		fprintf(f, "tceiommu_check_status{check=\"%s\"} %d\n", id ? id : "", v);
	}
	fprintf(f,
		"# HELP tceiommu_last_run_timestamp_seconds When check-host last ran.\n"
		"# TYPE tceiommu_last_run_timestamp_seconds gauge\n"
		"tceiommu_last_run_timestamp_seconds %.3f\n",
		now);
	return ferror(f) ? -EIO : 0;
}
