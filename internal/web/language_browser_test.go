package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
)

// TestBrowserChinese books through the pages in Simplified Chinese, as a
// visitor who picks 简体中文 in the switch on the landing page would: every
// step in Chinese, axe-core clean, with screenshots at 375 and 1280 px;
// the choice is kept by the cookie from page to page and by the booking.
func TestBrowserChinese(t *testing.T) {
	b := MustStartBrowser(t)
	env := MustOpenEnv(t)
	tab := b.MustOpenTab(t, "Asia/Singapore", true)

	tab.Go(env.URL + "/")
	tab.Click(`//nav[contains(@class,"lang-switch")]//a[normalize-space()="简体中文"]`)
	tab.MustContain("牛车水手工打造的定制珠宝", "营业时间", "怎么找到我们", "星期二", "休息")
	tab.CheckA11y("zh home")
	tab.Screenshots("60-zh-home")

	tab.Click(`//a[normalize-space()="到工作室面谈"]`)
	tab.WaitURL("tz")
	tab.MustContain("选择预约项目", "Ring sizing", "30分钟")
	tab.CheckA11y("zh service step")
	tab.Screenshots("61-zh-service")

	tab.Click(`//a[contains(@class,"choice")][contains(., "Bespoke design consultation")]`)
	tab.MustContain("您想和哪位工匠见面？", "任何一位工匠")
	tab.CheckA11y("zh artisan step")
	tab.Click(`//a[contains(@class,"choice")][contains(., "任何一位工匠")]`)
	tab.MustContain("选择日期和时间", "2026年12月", "预约时长为1小时30分钟。")
	tab.CheckA11y("zh calendar")

	tab.Click(`//a[contains(@class,"day")][contains(., "12月9日 星期三")]`)
	tab.MustContain("2026年12月9日 星期三", "14:00")
	tab.CheckA11y("zh calendar with times")
	tab.Screenshots("62-zh-calendar")

	tab.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="14:00"]]`)
	tab.MustContain("您的资料", "2026年12月9日 星期三 14:00至15:30", "41A Keong Saik Road")
	tab.CheckA11y("zh details")
	tab.Fill("name", "林美玲")
	tab.Fill("email", "meiling@example.com")
	tab.Screenshots("63-zh-details")

	tab.Click(`//button[normalize-space()="确认预约"]`)
	tab.MustContain("您的预约已确认", "谢谢您，林美玲。", "2026年12月9日 星期三 14:00至15:30", "请带上", "加入日历", "计划有变？")
	tab.CheckA11y("zh confirmation")
	tab.Screenshots("64-zh-confirmation")

	id := bookingIDFrom(t, tab.Location())
	if got := mustStored(t, env, id); got.Customer.Language != "zh-Hans" || got.Customer.Name != "林美玲" {
		t.Errorf("stored customer %+v, want zh-Hans", got.Customer)
	}

	// Without script the switch is a plain link and works the same.
	noJS := b.MustOpenTab(t, "Asia/Singapore", false)
	noJS.Go(env.URL + "/book")
	noJS.Click(`//nav[contains(@class,"lang-switch")]//a[normalize-space()="简体中文"]`)
	noJS.MustContain("选择预约项目")
	noJS.Click(`//nav[contains(@class,"lang-switch")]//a[normalize-space()="English"]`)
	noJS.MustContain("Choose an appointment")
}

// parentPage is the atelier's own website on another origin, which embeds
// the booking flow with the README's snippet.
const parentPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keong Saik Atelier: our website</title></head>
<body style="margin:0;font-family:sans-serif">
<header style="height:120px;background:#123">Our own site's header</header>
<iframe id="atelier-booking" src="%s/embed?lang=zh-Hans&transparent=1" title="Book an appointment"
  style="width:100%%;border:0;height:600px" loading="lazy"></iframe>
<script>
window.addEventListener("message", function (e) {
  if (e.origin !== %q || !e.data || e.data.type !== "atelier:height") return;
  document.getElementById("atelier-booking").style.height = e.data.height + "px";
  window.heights = (window.heights || []).concat([e.data.height]);
});
</script>
<footer>Our own site's footer</footer>
</body></html>`

// TestBrowserEmbed: a page on another site (localhost, the atelier being
// at 127.0.0.1) embeds /embed with the README's snippet; the frame takes
// the height the page sends, so it needs no scroll bar; a visitor books in
// it to the confirmation; and a page of the atelier that is not an embed
// page is refused in a frame.
func TestBrowserEmbed(t *testing.T) {
	b := MustStartBrowser(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	parentOrigin := "http://localhost:" + fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	env := mustOpenEnv(t, httpx.Config{}, envOptions{config: func(c *config.Config) { c.Server.EmbedOrigins = []string{parentOrigin} }})
	page := ""
	parent := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	parent.Listener = ln
	parent.Start()
	t.Cleanup(parent.Close)
	page = fmt.Sprintf(parentPage, env.URL, env.URL)

	tab := b.MustOpenTab(t, "Asia/Singapore", true)
	tab.Go(parentOrigin + "/")
	frame := tab.MustAttachFrame(env.URL + "/embed")
	frame.MustContain("选择预约项目", "Ring sizing")
	waitHeight := func(step string) int {
		t.Helper()
		var h int
		// The frame's height as the parent set it from the messages
		// equals its document's height: no scroll bar.
		_, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`(window.heights || []).length > 0`, chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("%s: the parent got no height message: %v", step, err)
		}
		for i := 0; i < 50; i++ {
			want, err := chromedp.Run(frame.ctx, chromedp.Evaluate[int](`Math.ceil(document.documentElement.getBoundingClientRect().height)`))
			if err != nil {
				t.Fatal(err)
			}
			h, err = chromedp.Run(tab.ctx, chromedp.Evaluate[int](`document.getElementById("atelier-booking").getBoundingClientRect().height`))
			if err != nil {
				t.Fatal(err)
			}
			scroll, _ := chromedp.Run(frame.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollHeight > window.innerHeight + 1`))
			if h == want && !scroll {
				return h
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s: the frame is %d px high, not its page's height (it scrolls)", step, h)
		return 0
	}
	first := waitHeight("service step")
	tab.Screenshots("70-embed-parent")

	frame.Click(`//a[contains(@class,"choice")][contains(., "Ring sizing")]`)
	frame.MustContain("您想和哪位工匠见面？")
	frame.Click(`//a[contains(@class,"choice")][contains(., "Siti Rahmah")]`)
	frame.MustContain("选择日期和时间")
	frame.Click(`//a[contains(@class,"day")][contains(., "12月12日 星期六")]`)
	if h := waitHeight("calendar"); h == first {
		t.Logf("the calendar is as high as the service step (%d px)", h)
	}
	// The frame has the browser's own zone, UTC here (the tab's override
	// does not reach another site's process): 10:30 in Singapore is 02:30.
	frame.Click(`//a[contains(@class,"slot")][.//span[normalize-space()="02:30"]]`)
	frame.MustContain("您的资料", "新加坡时间：2026年12月12日 星期六 10:30至11:00")
	frame.Fill("name", "Tan Wei Ling")
	frame.Fill("email", "weiling@example.com")
	frame.Click(`//button[normalize-space()="确认预约"]`)
	frame.MustContain("您的预约已确认", "谢谢您，Tan Wei Ling。")
	waitHeight("confirmation")
	frame.CheckA11y("embedded confirmation")
	tab.Screenshots("71-embed-confirmation")
	if got := env.BookingsOf(t, "weiling@example.com"); len(got) != 1 || got[0].Customer.Language != "zh-Hans" {
		t.Fatalf("bookings of the embedded visitor: %+v", got)
	}
	if hdr, _ := chromedp.Run(frame.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".site-header, .site-footer").length`)); hdr != 0 {
		t.Errorf("the embedded page shows the site's header or footer")
	}

	// Any other page of the atelier refuses the frame.
	page = fmt.Sprintf(strings.Replace(parentPage, "/embed?lang=zh-Hans&transparent=1", "/book", 1), env.URL, env.URL)
	tab.Go(parentOrigin + "/other")
	// A refused frame shows Chrome's error page (another URL); an allowed
	// one would be a target at /book with the page in it within moments.
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, in := range tab.frameTargets(env.URL + "/book") {
			if f := tab.attach(in); f != nil {
				if txt, err := chromedp.Run(f.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err == nil && strings.Contains(txt, "Choose an appointment") {
					t.Fatalf("/book was shown in another site's frame")
				}
			}
		}
	}
}

// frameTargets lists the out-of-process frames whose URL starts with prefix.
func (tb *Tab) frameTargets(prefix string) []*target.Info {
	tb.t.Helper()
	infos, err := chromedp.Targets(tb.ctx)
	if err != nil {
		tb.t.Fatal(err)
	}
	var out []*target.Info
	for _, in := range infos {
		if in.Type == "iframe" && strings.HasPrefix(in.URL, prefix) {
			out = append(out, in)
		}
	}
	return out
}

// attach is a Tab driving the frame target in.
func (tb *Tab) attach(in *target.Info) *Tab {
	ctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(in.TargetID))
	tb.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		return nil
	}
	return &Tab{t: tb.t, b: tb.b, ctx: ctx, script: tb.script}
}

// MustAttachFrame waits for the frame from another site at prefix (Chrome
// runs it as a target of its own) and returns a Tab that drives it.
func (tb *Tab) MustAttachFrame(prefix string) *Tab {
	tb.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if fs := tb.frameTargets(prefix); len(fs) > 0 {
			if f := tb.attach(fs[0]); f != nil {
				ctx, cancel := context.WithTimeout(f.ctx, 60*time.Second)
				tb.t.Cleanup(cancel)
				f.ctx = ctx
				if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("main"))); err == nil {
					return f
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.t.Fatalf("no frame at %s", prefix)
	return nil
}
