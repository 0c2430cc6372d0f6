import PPGVectors
import PPGWire

/// One self-contained HTML page for a run, to open as a CI artifact or from `file://`: no request leaves it (a
/// Content-Security-Policy forbids any), the style and the script are inline. A headline, the diagnosis first,
/// then each category with a bar and its vectors, each expandable to everything needed to act; filters by outcome,
/// level and flag (also from the address: `?hide=pass,skip&level=required&flag=HeaderCase`), deep links to
/// `#VECTOR-ID`, keyboard use through native controls, status words beside every colour. Text from outside goes
/// through `OutsideText`, never rendered.
public enum HTMLReport {
    /// The outcome word of a vector, as filters and the page name it.
    static func outcome(_ outcome: VectorOutcome) -> String {
        switch outcome.disposition {
        case .passed: "pass"
        case .failed: outcome.status == .error ? "error" : "fail"
        case .warning: "warning"
        case .expectedFailure: "xfail"
        case .unexpectedPass: "xpass"
        case .skipped: "skip"
        }
    }

    /// Outcome words in the order the filters show them, with their labels.
    static let outcomes: [(word: String, label: String)] = [
        ("fail", "failed"), ("error", "error"), ("xpass", "unexpected pass"), ("warning", "warning"),
        ("xfail", "expected failure"), ("pass", "passed"), ("skip", "skipped"),
    ]

    /// Renders a run.
    /// - Parameter result: The run.
    /// - Returns: The HTML document.
    public static func render(_ result: RunResult) -> String {
        let summary = result.summary
        let gaps = result.outcomes.filter { $0.disposition == .expectedFailure }
        let verdict = RunVerdict(result)
        let verdictClass =
            switch verdict {
            case .nothingTested: "none"
            case .notConformant: "fail"
            case .conformant: "pass"
            case .conformantWithGaps: "gaps"
            }
        var html = """
            <header>
            <h1>PushPushGo webhook conformance: <span class="verdict verdict-\(verdictClass)">\
            \(OutsideText.escape(verdict.description, for: .html))</span></h1>
            <p class="facts">Target <code>\(OutsideText.escape(result.targetName, for: .html))</code> · profile \
            <code>\(result.profile)</code> · corpus \
            <code>\(OutsideText.escape(result.corpusVersion, for: .html))</code> · \
            ppg-conformance \(ToolInfo.version) · started \(JUnitReport.isoTimestamp(result.startedAt)) UTC · \
            \(counted(result.outcomes.count, "vector")) in \(formatDecimal(result.duration, decimals: 2)) s</p>

            """
        let totals: [(String, String, Int)] = [
            ("passed", "passed", summary.passed), ("failed", "failed", summary.failing),
            ("skipped", "skipped", summary.skipped), ("warnings", "warnings", summary.warnings),
            ("expectedFailures", "expected failures", summary.expectedFailures),
            ("unexpectedPasses", "unexpected passes", summary.unexpectedPasses), ("errors", "errors", summary.errors),
        ]
        html += "<dl class=\"totals\" id=\"totals\">\n"
        for (key, label, count) in totals {
            html += "<div><dt>\(label)</dt><dd data-total=\"\(key)\">\(count)</dd></div>\n"
        }
        html += "</dl>\n<p class=\"note\">failed counts every vector that fails the run, unexpected passes included; "
        html += "errors are counted in failed or warnings too.</p>\n"
        for warning in result.warnings {
            html += "<p class=\"warning\">warning: \(OutsideText.escape(warning, for: .html))</p>\n"
        }
        html += "</header>\n"
        html += diagnosis(result)
        html += knownGaps(gaps)
        html += filters(result)
        html += "<main>\n"
        var serial = 0
        for (category, outcomes) in result.outcomes.groupedInOrder(by: \.category) {
            html += section(category, outcomes: outcomes, serial: &serial)
        }
        html += "</main>\n"
        return HTMLDocument.make(
            title: "PushPushGo webhook conformance: \(verdict) — \(result.targetName)", style: style,
            bodyAttributes: "data-verdict=\"\(verdictClass)\"", body: html, script: script)
    }

    static func diagnosis(_ result: RunResult) -> String {
        guard let diagnosis = result.diagnosis else { return "" }
        var settings = ""
        if !diagnosis.settings.isEmpty {
            settings = "<h2>\(OutsideText.escape(Diagnosis.settingsHeading, for: .html))</h2>\n<ol>\n"
            for setting in diagnosis.settings {
                settings += "<li><code>\(setting.setting.rawValue)</code>"
                if let works = setting.works {
                    settings += " — works: <code>\(OutsideText.escape(works, for: .html))</code>"
                }
                settings += ": \(OutsideText.escape(setting.message, for: .html))</li>\n"
            }
            settings += "</ol>\n"
            // Code causes first where they remain beside a setting: a failure no setting explains comes first.
            if diagnosis.causes.isEmpty { return "<section id=\"diagnosis\">\n" + settings + "</section>\n" }
        }
        var html = "<section id=\"diagnosis\">\n<h2>Likely causes</h2>\n"
        html += "<p class=\"note\">Known bugs whose failures match this run's: consistent with the evidence, not "
        html += "proof.</p>\n<ol>\n"
        for cause in diagnosis.causes {
            // The sentence is the project's own words around bug names: each name escaped where it is wrapped.
            let sentence = diagnosis.sentence(cause) { "<code>\(OutsideText.escape($0, for: .html))</code>" }
            html += "<li><p>\(sentence)</p>\n<dl>"
            html += "<dt>the bug</dt><dd>\(OutsideText.escape(cause.mutant.summary, for: .html))</dd>"
            html += "<dt>typical code</dt><dd>\(OutsideText.escape(cause.mutant.idioms, for: .html))</dd>"
            html += "<dt>fix</dt><dd>\(OutsideText.escape(cause.mutant.fix, for: .html))</dd>"
            html += "<dt>explains</dt><dd>\(links(cause.explained))</dd>"
            if !cause.notFailed.isEmpty {
                html += "<dt>would also fail, but passed here</dt><dd>\(links(cause.notFailed))</dd>"
            }
            html += "</dl></li>\n"
        }
        html += "</ol>\n"
        if diagnosis.causes.isEmpty { html += "<p>\(OutsideText.escape(diagnosis.noMatch, for: .html))</p>\n" }
        if !diagnosis.unexplained.isEmpty && !diagnosis.causes.isEmpty {
            html += "<p>Not explained by any known bug: \(links(diagnosis.unexplained))</p>\n"
        }
        return html + settings + "</section>\n"
    }

    static func knownGaps(_ gaps: [VectorOutcome]) -> String {
        guard !gaps.isEmpty else { return "" }
        var html = "<section id=\"known-gaps\">\n<h2>Known gaps (\(gaps.count))</h2>\n"
        let open = gaps.filter(\.acceptedUnverified)
        if !open.isEmpty {
            html += "<p class=\"alarm\"><strong>\(counted(open.count, "known gap")) "
            html += "\(open.count == 1 ? "accepts" : "accept") a delivery with a forged, missing or wrong "
            html += "signature</strong>: anyone who knows the URL can post events there.</p>\n"
        }
        html += "<ul>\n"
        for outcome in gaps {
            let reason = outcome.expectedFailureReason ?? ExpectedFailures.defaultReason
            html +=
                "<li><a href=\"\(OutsideText.escape(outcome.id, for: .htmlFragment))\"><code>"
                + "\(OutsideText.escape(outcome.id, for: .html))</code></a>"
            if outcome.acceptedUnverified { html += " <strong>accepts unverified</strong>" }
            html += " — \(OutsideText.escape(reason, for: .html))</li>\n"
        }
        return html + "</ul>\n</section>\n"
    }

    static func filters(_ result: RunResult) -> String {
        var present: [String: Int] = [:]
        for outcome in result.outcomes { present[Self.outcome(outcome), default: 0] += 1 }
        var html = "<nav id=\"filters\" aria-label=\"Filters\">\n<fieldset><legend>Outcome</legend>\n"
        for (word, label) in outcomes {
            html += "<label><input type=\"checkbox\" name=\"outcome\" value=\"\(word)\" id=\"filter-\(word)\" checked> "
            html += "<span class=\"word word-\(word)\">\(label)</span> (\(present[word] ?? 0))</label>\n"
        }
        html += "</fieldset>\n<label>Level <select id=\"filter-level\"><option value=\"\">any</option>"
        html += "<option value=\"required\">required</option><option value=\"recommended\">recommended</option>"
        html += "</select></label>\n<label>Flag <select id=\"filter-flag\"><option value=\"\">any</option>"
        for flag in Set(result.outcomes.flatMap(\.flags)).sorted() {
            html +=
                "<option value=\"\(OutsideText.escape(flag, for: .html))\">"
                + "\(OutsideText.escape(flag, for: .html))</option>"
        }
        html += "</select></label>\n<output id=\"shown\" aria-live=\"polite\"></output>\n</nav>\n"
        return html
    }

    static func section(_ category: String, outcomes: [VectorOutcome], serial: inout Int) -> String {
        let summary = RunSummary(outcomes)
        let total = max(1, outcomes.count)
        let failing = summary.failing + summary.warnings
        let parts: [(String, Int, String)] = [
            ("pass", summary.passed + summary.expectedFailures, "passed"), ("fail", failing, "failed"),
            ("skip", summary.skipped, "skipped"),
        ]
        let words = parts.filter { $0.1 > 0 }.map { "\($0.1) \($0.2)" }.joined(separator: ", ")
        var html =
            "<section class=\"category\" id=\"category-\(OutsideText.escape(category, for: .htmlIdentifier))\">\n"
        html += "<h2>\(OutsideText.escape(category, for: .html)) <span class=\"counts\">\(words)</span></h2>\n"
        html += "<div class=\"bar\" role=\"img\" aria-label=\"\(words)\">"
        for (kind, count, _) in parts where count > 0 {
            let percent = Double(count) * 100 / Double(total)
            html += "<span class=\"bar-\(kind)\" style=\"width:\(formatDecimal(percent, decimals: 2))%\"></span>"
        }
        html += "</div>\n"
        for outcome in outcomes { html += vector(outcome, serial: &serial) }
        return html + "</section>\n"
    }

    static func vector(_ outcome: VectorOutcome, serial: inout Int) -> String {
        serial += 1
        let word = Self.outcome(outcome)
        let label = outcomes.first { $0.word == word }?.label ?? word
        let flags = " " + outcome.flags.joined(separator: " ") + " "
        var html =
            "<details class=\"vector\" id=\"\(OutsideText.escape(outcome.id, for: .htmlIdentifier))\" data-outcome=\""
            + "\(word)\" "
        html +=
            "data-level=\"\(outcome.level.rawValue)\" data-flags=\""
            + "\(OutsideText.escape(flags, for: .html))\">\n<summary>"
        html +=
            "<span class=\"word word-\(word)\">\(label)</span> <code>"
            + "\(OutsideText.escape(outcome.id, for: .html))</code>"
        if !outcome.expected.isEmpty || !outcome.actual.isEmpty {
            html += " <span class=\"brief\">expected \(OutsideText.escape(outcome.expected, for: .html))"
            if !outcome.actual.isEmpty {
                html += " · actual \(OutsideText.escape(outcome.actual.firstLine(limit: 160), for: .html))"
            }
            html += "</span>"
        }
        html += "</summary>\n<div class=\"body\">\n<p>\(OutsideText.escape(outcome.comment, for: .html))</p>\n<dl>"
        html += "<dt>level</dt><dd>\(outcome.level.rawValue)</dd>"
        if !outcome.flags.isEmpty {
            let flags = outcome.flags.map { "<code>\(OutsideText.escape($0, for: .html))</code>" }
            html += "<dt>flags</dt><dd>\(flags.joined(separator: " "))</dd>"
        }
        html += "<dt>expected</dt><dd>\(OutsideText.escape(outcome.expected, for: .html))</dd>"
        html += "<dt>actual</dt><dd>\(OutsideText.escape(outcome.actual, for: .html))</dd>"
        if !outcome.reason.isEmpty {
            html += "<dt>reason</dt><dd>\(OutsideText.escape(outcome.reason, for: .html))</dd>"
        }
        if let reason = outcome.expectedFailureReason {
            html += "<dt>expected failure</dt><dd>\(OutsideText.escape(reason, for: .html))</dd>"
        }
        html +=
            "<dt>link</dt><dd><a href=\"\(OutsideText.escape(outcome.id, for: .htmlFragment))\">#"
            + "\(OutsideText.escape(outcome.id, for: .html))</a></dd>"
        html += "</dl>\n"
        if !outcome.signed.isEmpty {
            html += "<h3>Signed</h3>\n<pre>\(OutsideText.escape(outcome.signed, for: .html))</pre>\n"
        }
        if !outcome.request.isEmpty {
            html += "<h3>Request as sent</h3>\n<pre>\(OutsideText.escape(outcome.request, for: .html))</pre>\n"
        }
        if !outcome.reproduction.isEmpty {
            html +=
                "<h3>Reproduce</h3>\n<pre id=\"repro-\(serial)\">"
                + "\(OutsideText.escape(outcome.reproduction, for: .html))</pre>\n"
            html += "<button type=\"button\" class=\"copy\" data-copy=\"repro-\(serial)\">Copy command</button>\n"
        }
        return html + "</div>\n</details>\n"
    }

    static func links(_ ids: [String]) -> String {
        ids.map {
            "<a href=\"\(OutsideText.escape($0, for: .htmlFragment))\"><code>"
                + "\(OutsideText.escape($0, for: .html))</code></a>"
        }
        .joined(separator: ", ")
    }

    /// The page's style: status colours always beside status words, a layout that prints.
    static let style = """
        body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1b1f23}
        code,pre{font-family:ui-monospace,monospace;font-size:13px}
        pre{background:#f6f8fa;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
        .verdict{padding:0 .3rem;border-radius:4px}.verdict-pass{background:#d1f5d3}.verdict-fail{background:#ffd7d5}
        .verdict-gaps,.verdict-none{background:#fff1c2}
        .totals{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.5rem 0}.totals div{display:flex;gap:.3rem}
        .totals dt{color:#57606a}.totals dd{margin:0;font-weight:600}.note{color:#57606a;font-size:13px}
        .alarm{background:#ffd7d5;padding:.4rem}.warning{background:#fff1c2;padding:.3rem}
        #filters{position:sticky;top:0;background:#fff;border-bottom:1px solid #d0d7de;padding:.4rem 0;
        display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;z-index:1}
        fieldset{border:0;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.2rem .8rem}legend{float:left;margin-right:.5rem}
        .bar{display:flex;height:.6rem;background:#eaeef2;border-radius:3px;overflow:hidden;margin:.2rem 0 .6rem}
        .bar-pass{background:#2da44e}.bar-fail{background:#cf222e}.bar-skip{background:#8c959f}
        .counts{font-weight:400;font-size:14px;color:#57606a}
        details.vector{border:1px solid #d0d7de;border-radius:4px;margin:.25rem 0;padding:.2rem .5rem}
        details.vector[open]{background:#fbfcfd}summary{cursor:pointer}.brief{color:#57606a;font-size:13px}
        .word{display:inline-block;min-width:7.5rem;font-weight:600;font-size:12px;text-transform:uppercase}
        .word-pass{color:#116329}.word-fail,.word-error,.word-xpass{color:#a40e26}.word-warning,.word-xfail{color:#7d4e00}
        .word-skip{color:#57606a}dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem}dd{margin:0}
        button.copy{font:inherit;font-size:13px}:focus-visible{outline:2px solid #0969da;outline-offset:2px}
        @media print{#filters,button.copy{display:none}details.vector{break-inside:avoid}}
        """

    /// The page's script: filters (from the controls and from the address), deep links, the copy button.
    static let script = """
        (function(){
        var vectors=Array.prototype.slice.call(document.querySelectorAll('details.vector'));
        var boxes=Array.prototype.slice.call(document.querySelectorAll('#filters input[name=outcome]'));
        var level=document.getElementById('filter-level'),flag=document.getElementById('filter-flag');
        var shown=document.getElementById('shown');
        function apply(){
        var on={};boxes.forEach(function(b){if(b.checked)on[b.value]=true;});var n=0;
        vectors.forEach(function(v){var ok=on[v.dataset.outcome]&&(!level.value||v.dataset.level===level.value)&&
        (!flag.value||v.dataset.flags.indexOf(' '+flag.value+' ')>=0);v.hidden=!ok;if(ok)n++;});
        Array.prototype.forEach.call(document.querySelectorAll('section.category'),function(s){
        s.hidden=!s.querySelector('details.vector:not([hidden])');});
        shown.textContent=n+' of '+vectors.length+' vectors shown';document.body.setAttribute('data-shown',n);}
        boxes.forEach(function(b){b.addEventListener('change',apply);});
        level.addEventListener('change',apply);flag.addEventListener('change',apply);
        var params=new URLSearchParams(location.search);
        (params.get('hide')||'').split(',').forEach(function(word){boxes.forEach(function(b){
        if(b.value===word&&b.checked)b.click();});});
        function choose(select,value){if(!value)return;for(var i=0;i<select.options.length;i++){
        if(select.options[i].value===value){select.selectedIndex=i;select.dispatchEvent(new Event('change'));}}}
        choose(level,params.get('level'));choose(flag,params.get('flag'));apply();
        function openHash(){var id='';try{id=decodeURIComponent(location.hash.slice(1));}catch(e){}
        var target=id&&document.getElementById(id);if(target&&target.tagName==='DETAILS'){target.hidden=false;
        if(target.parentNode)target.parentNode.hidden=false;target.open=true;target.scrollIntoView();}}
        window.addEventListener('hashchange',openHash);openHash();
        document.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('button.copy');
        if(!b)return;var text=document.getElementById(b.dataset.copy).textContent;
        function done(){b.textContent='Copied';}
        function fallback(){var r=document.createRange();r.selectNodeContents(document.getElementById(b.dataset.copy));
        var s=getSelection();s.removeAllRanges();s.addRange(r);try{document.execCommand('copy');done();}catch(x){}}
        if(navigator.clipboard){navigator.clipboard.writeText(text).then(done,fallback);}else{fallback();}});
        })();
        """
}
