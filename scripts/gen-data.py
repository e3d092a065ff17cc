#!/usr/bin/env python3
"""Deterministic test data for scripts/bench: article folders and subscriber lists.

    scripts/gen-data.py articles DIR --total N --recent R --now ISO [--seed S]
        Writes N article files in the format of examples/articles (line 1 <!--UNIX_MS-->, line 2 [Title](url),
        line 3 dashes, a blank line, then the article's HTML). R of them are published within the 24 hours
        before --now, the others between 25 hours and a year earlier. Each is a few KB of realistic feed HTML:
        a date line, sometimes a lead image, a lead paragraph, one to three paragraphs (English or Chinese)
        with inline links, self-promo containers, a share bar and the aggregator's footer.

    scripts/gen-data.py subscribers FILE --count N [--seed S]
        Writes a JSON array of N subscribers, one object per line with a 2-space indent:
          { "email": "…", "name": "…" }
        Addresses are unique and ASCII; about a quarter of the names are Chinese.

The same arguments always produce the same bytes (random.Random seeded with --seed, default 1).
Only the standard library is used.
"""

import argparse
import datetime
import json
import os
import random
import sys
import urllib.parse

# --- Word material -------------------------------------------------------------------------------------------

EN_SUBJECTS = [
    "The city council", "A regional transit authority", "Researchers at a coastal university", "The health ministry",
    "An open-source foundation", "Local farmers", "The central bank", "A group of volunteer developers",
    "The national weather service", "Harbour officials", "A consortium of hospitals", "The school board",
]
EN_VERBS = [
    "announced", "published", "began testing", "postponed", "expanded", "reviewed", "approved", "questioned",
    "launched", "paused", "defended", "revised",
]
EN_OBJECTS = [
    "a plan to open its data to outside developers", "new rules for electric scooters", "a pilot for night buses",
    "an overhaul of the water network", "a study on winter bird populations", "a faster permit process",
    "changes to the ferry timetable", "a public consultation on housing", "a new version of its database",
    "a programme to retrofit old apartment blocks", "the budget for the coming year", "a trial of four-day school weeks",
]
EN_SENTENCES = [
    "Officials said the first results would be published in the spring, after an independent review.",
    "Critics argued that the timetable was too ambitious and that costs had not been fully estimated.",
    "The change follows a pilot last autumn in which a small group of residents tested the service.",
    "Several neighbouring towns have tried similar schemes, with mixed results.",
    "A spokesperson said the decision was made after months of consultation with residents and businesses.",
    "Data from the first two months suggests waiting times fell by almost a third.",
    "Not everyone is convinced: a local association warned that older residents could be left behind.",
    "The project is funded for three years, after which it will be evaluated again.",
    "Engineers expect most of the work to be finished before the end of the summer.",
    "The full report, including the raw measurements, is available on the authority's website.",
    "Transit advocates welcomed the announcement but urged the authority to commit to long-term support.",
    "Use of the data is covered by a licence that permits commercial apps, provided they credit the source.",
]
ZH_SUBJECTS = ["市交通管理部门", "当地环保部门", "一家本地科技公司", "省卫生健康委员会", "开源社区", "气象部门", "港口管理局", "多所高校的研究人员"]
ZH_VERBS = ["宣布", "发布", "启动", "暂停", "扩大", "评估", "批准", "回应"]
ZH_OBJECTS = [
    "夜间公交智能调度试点", "冬季水鸟同步调查结果", "老旧小区改造计划", "新版本数据库", "公共数据开放平台",
    "共享单车停放新规", "地铁末班车延时方案", "社区医疗服务改革",
]
ZH_SENTENCES = [
    "据介绍，相关系统运行两个月以来，市民平均候车时间明显缩短，降幅接近四成。",
    "主管部门表示，将在春节后评估是否扩大试点范围，并邀请市民提交意见。",
    "也有研究人员指出，新措施意味着运营成本上升，仍需进一步核算。",
    "对于外界关心的数据隐私问题，有关部门回应称，系统仅使用匿名化的统计数据。",
    "一位经常加班到深夜的市民告诉记者，以前常常错过末班车，现在“基本都能接上”。",
    "专家提醒，相关数据仍需长期监测，单一年份的结果不宜过度解读。",
    "根据计划，完整的评估报告将于下个季度公布，届时将公开原始数据。",
    "业内人士认为，这一做法反映出城市管理正在从经验驱动转向数据驱动。",
    "参与项目的工程师表示，系统上线初期曾出现少量故障，目前已全部修复。",
    "据悉，相关部门还计划在年内推出配套的手机应用，方便市民查询。",
]
EN_NAMES_FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "James", "Kenji", "Laura",
                  "Marta", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yusuf"]
EN_NAMES_LAST = ["Martin", "Smith", "Garcia", "Nguyen", "Müller", "Rossi", "Kowalski", "Dubois", "Silva", "Jansen",
                 "O'Brien", "Novak", "Haddad", "Tanaka", "Andersson", "Okafor"]
ZH_SURNAMES = [("张", "zhang"), ("王", "wang"), ("李", "li"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
               ("黄", "huang"), ("赵", "zhao"), ("周", "zhou"), ("吴", "wu")]
ZH_GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
            ("磊", "lei"), ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("杰", "jie"), ("婷", "ting"), ("晨", "chen")]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "example.cn", "post.example.org"]


def iso_to_ms(text):
    when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return int(when.timestamp() * 1000)


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --- Articles ------------------------------------------------------------------------------------------------

def article(rng, index, published_ms):
    chinese = rng.random() < 0.5
    stamp = datetime.datetime.fromtimestamp(published_ms / 1000, datetime.timezone.utc)
    slug_words = []
    if chinese:
        title = rng.choice(ZH_SUBJECTS) + rng.choice(ZH_VERBS) + rng.choice(ZH_OBJECTS) + " " + rng.choice(
            ["效果初显", "引发关注", "下月实施", "征求意见", "首批数据公布"])
        # Like the RFI sample: a Chinese path, percent-encoded.
        path = "/cn/" + urllib.parse.quote("国际") + "/" + stamp.strftime("%Y%m%d") + "-" + urllib.parse.quote(title.replace(" ", "-"))
        host = rng.choice(["www.example.cn", "news.example.com", "www.rfi.example.fr"])
        paragraphs_pool, sentences_per_paragraph = ZH_SENTENCES, (3, 6)
        lead = rng.choice(ZH_SUBJECTS) + stamp.strftime("%-m月%-d日") + "通报称，" + rng.choice(ZH_OBJECTS) + "已进入第二阶段，" + rng.choice(ZH_SENTENCES)
        share_label, locale, more = "分享 :", "zh_CN", "获取更多RSS："
    else:
        subject, verb, obj = rng.choice(EN_SUBJECTS), rng.choice(EN_VERBS), rng.choice(EN_OBJECTS)
        title = f"{subject} {verb} {obj}"
        if rng.random() < 0.2:
            title += ' & says "more to come"'
        slug_words = [w.strip('"&').lower() for w in title.split() if w.strip('"&')]
        path = "/" + rng.choice(["local", "tech", "science", "world"]) + stamp.strftime("/%Y/%m/%d/") + "-".join(slug_words[:8])
        host = rng.choice(["news.example.com", "www.example.org", "daily.example.net"])
        paragraphs_pool, sentences_per_paragraph = EN_SENTENCES, (3, 5)
        lead = f"{subject} {verb} {obj} on {stamp.strftime('%A')}, saying it would take effect within weeks. " + rng.choice(EN_SENTENCES)
        share_label, locale, more = "Share :", "en_US", "获取更多RSS："
    url = f"https://{host}{path}"
    short = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4))
    parts = [f"<div>{stamp.strftime('%d/%m/%Y - %H:%M')}</div>"]
    if rng.random() < 0.6:
        parts.append(f'<img src="https://img.{host.split(".", 1)[1]}/media/{stamp.strftime("%Y/%m")}/{index:06d}-{short.lower()}-w1280.jpg">')
    parts.append(f"<p><strong>{esc(lead)}</strong></p><div>")
    for p in range(rng.randint(1, 3)):
        if p > 0 and rng.random() < 0.5:
            parts.append(f"<h3>{esc(rng.choice(ZH_OBJECTS if chinese else EN_OBJECTS))}</h3>")
        sentences = [rng.choice(paragraphs_pool) for _ in range(rng.randint(*sentences_per_paragraph))]
        if rng.random() < 0.6:
            link_text = "此前发布的公告" if chinese else "previously published notice"
            k = rng.randrange(len(sentences))
            sentences[k] = sentences[k] + (f' 详见<a href="https://{host}/notice/{index}">{link_text}</a>。' if chinese
                                           else f' See the <a href="https://{host}/notice/{index}">{link_text}</a>.')
        body = ("" if chinese else " ").join(s if "<a " in s else esc(s) for s in sentences)
        if rng.random() < 0.3:
            body += "<em>" + esc(rng.choice(paragraphs_pool)) + "</em>"
        parts.append(f"<p>{body}</p>")
    parts.append("<div data-selfpromo-newsletter></div>")
    if rng.random() < 0.5:
        parts.append("<div data-selfpromo-app></div>")
    parts.append("</div>")
    enc_url = urllib.parse.quote(url, safe="")
    enc_title = urllib.parse.quote(title, safe="")
    s = f"https%3A%2F%2Fs.{host.split('.', 1)[1]}%2F{short}"
    parts.append(
        f'<div><div>{share_label}</div><div>'
        f'<a href="https://www.facebook.com/dialog/share?app_id=100000000000001&amp;href={s}.F&amp;redirect_uri={enc_url}&amp;locale={locale}" target="_blank" rel="noopener nofollow"><span></span></a>'
        f'<a href="whatsapp://send?text={enc_title}%20-%20{s}.W" target="_blank" rel="noopener nofollow"><span></span></a>'
        f'<a href="https://web.whatsapp.com/send?text={enc_title}%20-%20{s}.W" target="_blank" rel="noopener nofollow"><span></span></a>'
        f'<a href="https://x.com/intent/tweet?url={s}.X&amp;via=ExampleNews&amp;related=ExampleNews&amp;text={enc_title}&amp;lang={locale[:2]}" target="_blank" rel="noopener nofollow"><span></span></a>'
        f'<span data-root-share><share-button v-on:open="openModal"></share-button><share-modal v-if="displayModal" v-on:close="closeModal"></share-modal></span></div></div>'
    )
    parts.append(
        f'<br><hr><div>{more}<br><a href="https://feedx.net" style="color:orange" target="_blank">https://feedx.net</a> '
        f'<br><a href="https://feedx.run" style="color:orange" target="_blank">https://feedx.run</a><br></div>'
    )
    return f"<!--{published_ms}-->\n[{title}]({url})\n------\n\n" + "".join(parts) + "\n"


def write_articles(args):
    if args.recent > args.total:
        sys.exit("gen-data.py: --recent must not exceed --total")
    rng = random.Random(args.seed)
    now_ms = iso_to_ms(args.now)
    hour = 3600 * 1000
    os.makedirs(args.dir, exist_ok=True)
    recent = set(rng.sample(range(args.total), args.recent))
    width = max(3, len(str(args.total - 1)))
    for index in range(args.total):
        if index in recent:
            # Strictly inside the window: between 1 minute and 23 h 59 min before --now.
            published = now_ms - rng.randint(60_000, 24 * hour - 60_000)
        else:
            published = now_ms - rng.randint(25 * hour, 365 * 24 * hour)
        name = f"{index:0{width}d}_{rng.getrandbits(64):016x}.txt"
        with open(os.path.join(args.dir, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(article(rng, index, published))


# --- Subscribers ---------------------------------------------------------------------------------------------

def write_subscribers(args):
    rng = random.Random(args.seed)
    directory = os.path.dirname(os.path.abspath(args.file))
    os.makedirs(directory, exist_ok=True)
    with open(args.file, "w", encoding="utf-8", newline="\n") as f:
        f.write("[\n")
        for i in range(args.count):
            if rng.random() < 0.25:
                (surname, s_pinyin), (given, g_pinyin) = rng.choice(ZH_SURNAMES), rng.choice(ZH_GIVEN)
                if rng.random() < 0.5:
                    extra, e_pinyin = rng.choice(ZH_GIVEN)
                    given, g_pinyin = given + extra, g_pinyin + e_pinyin
                name, local = surname + given, f"{s_pinyin}.{g_pinyin}"
            else:
                first, last = rng.choice(EN_NAMES_FIRST), rng.choice(EN_NAMES_LAST)
                name = f"{first} {last}"
                local = f"{first}.{last}".lower().replace("'", "").replace("ü", "ue")
            # The index keeps every address unique.
            email = f"{local}.{i}@{rng.choice(DOMAINS)}"
            entry = "{ " + '"email": ' + json.dumps(email) + ', "name": ' + json.dumps(name, ensure_ascii=False) + " }"
            f.write("  " + entry + (",\n" if i + 1 < args.count else "\n"))
        f.write("]\n")


def main():
    parser = argparse.ArgumentParser(description="Deterministic articles and subscriber lists for scripts/bench.")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("articles", help="write an article folder")
    a.add_argument("dir")
    a.add_argument("--total", type=int, required=True)
    a.add_argument("--recent", type=int, required=True)
    a.add_argument("--now", required=True, help="ISO 8601 instant, e.g. 2024-02-02T08:00:00Z")
    a.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("subscribers", help="write a subscriber list")
    s.add_argument("file")
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.command == "articles":
        write_articles(args)
    else:
        write_subscribers(args)


if __name__ == "__main__":
    main()
