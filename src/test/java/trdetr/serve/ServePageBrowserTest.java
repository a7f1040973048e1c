package trdetr.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import trdetr.video.VideoFixtures;

/**
 * The serve page in a real browser (Debian's headless Chromium through chromedriver): add the committed video, search
 * it, see the returned moments on the timeline, click one and the player seeks there; a screenshot is saved as
 * target/serve-page.png. Skipped where Chromium or chromedriver is absent (.ci/run installs both).
 */
class ServePageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    @TempDir Path tmp;

    @Test
    void addSearchAndSeekInTheBrowser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver): the browser test is skipped");
        var ffmpeg = VideoFixtures.ffmpeg();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toString())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                        "--autoplay-policy=no-user-gesture-required");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        try (ServeFixture s = new ServeFixture(tmp, ffmpeg)) {
            ChromeDriver browser = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                browser.get(s.url("/"));
                browser.findElement(By.id("file")).sendKeys(VideoFixtures.DIR.resolve("walk.mp4").toAbsolutePath().toString());
                browser.findElement(By.id("upload")).click();
                wait.until(d -> d.findElements(By.cssSelector("#videos li")).size() == 1);
                wait.until(d -> d.findElement(By.id("status")).getText().startsWith("added: walk.mp4"));
                assertThat(browser.findElement(By.cssSelector("#videos li.selected")).getText()).isEqualTo("walk.mp4 (14 s)");

                String query = "a man walks his dog";
                browser.findElement(By.id("query")).sendKeys(query);
                browser.findElement(By.id("search")).click();
                wait.until(d -> !d.findElements(By.cssSelector("#timeline .moment")).isEmpty());

                // the timeline shows what the API returns for the same question
                String id = s.lib.entries().get(0).id();
                JsonNode api = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url("/api/search")))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"" + query + "\", \"video\": \"" + id + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                List<WebElement> moments = browser.findElements(By.cssSelector("#timeline .moment"));
                assertThat(moments).hasSize(api.get("moments").size());
                for (int i = 0; i < moments.size(); i++) {
                    assertThat(Double.parseDouble(moments.get(i).getAttribute("data-start"))).isEqualTo(api.get("moments").get(i).get("start").asDouble());
                    assertThat(Double.parseDouble(moments.get(i).getAttribute("data-end"))).isEqualTo(api.get("moments").get(i).get("end").asDouble());
                }
                assertThat(browser.findElement(By.id("curve")).getAttribute("points").split(" ")).hasSize(7);

                // clicking a moment seeks the player to its start (one that does not start at 0, so the seek shows)
                int pick = 0;
                for (int i = 0; i < moments.size(); i++) if (Double.parseDouble(moments.get(i).getAttribute("data-start")) > 0) { pick = i; break; }
                double start = Double.parseDouble(moments.get(pick).getAttribute("data-start"));
                JavascriptExecutor js = browser;
                js.executeScript("arguments[0].click();", moments.get(pick));
                wait.until(d -> {
                    Object t = js.executeScript("return document.getElementById('player').currentTime;");
                    return t instanceof Number n && Math.abs(n.doubleValue() - start) < 0.25;
                });
                Path shot = Path.of("target", "serve-page.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                assertThat(Files.size(shot)).isGreaterThan(1000);
            } finally {
                browser.quit();
            }
        }
    }
}
