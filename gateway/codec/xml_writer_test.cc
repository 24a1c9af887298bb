#include "gateway/codec/xml_writer.h"

#include <string>

#include "gateway/codec/text_escape.h"
#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

TEST(XmlWriterTest, DeclaresNamespacesWhereFirstNeededAsTheSerializerDoes) {
  std::string out;
  XmlWriter xml(&out);
  xml.StartDocument("Result", "urn:a");
  xml.Start("Empty", "urn:a");
  xml.Nil();
  xml.End();
  xml.Start("Items", "urn:a", "urn:b");  // children in urn:b: declared here
  xml.Start("Item", "urn:b");
  xml.Start("Base", "urn:c");  // not in scope: declared on the element itself
  xml.Text("x");
  xml.End();
  xml.Start("Own", "urn:b");
  xml.End();
  xml.End();
  xml.End();
  xml.Start("Same", "urn:a", "urn:a");
  xml.Text("1");
  xml.End();
  xml.End();
  EXPECT_EQ(out,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Result "
            "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"urn:a\">"
            "<Empty i:nil=\"true\" />"
            "<Items xmlns:d2p1=\"urn:b\"><d2p1:Item>"
            "<d4p1:Base xmlns:d4p1=\"urn:c\">x</d4p1:Base><d2p1:Own /></d2p1:Item></Items>"
            "<Same>1</Same></Result>");
}

TEST(XmlTextTest, EscapesMarkupKeepsLineBreaksAndReplacesWhatXmlCannotHold) {
  std::string out;
  AppendXmlText("a<b>&c\r\n\td", &out);
  EXPECT_EQ(out, "a&lt;b&gt;&amp;c&#xD;\n\td");
  out.clear();
  AppendXmlText(std::string("x\x01y\0z", 5), &out);
  EXPECT_EQ(out, "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
  out.clear();
  // Not UTF-8 (a lone continuation byte, a truncated sequence, an overlong
  // '/', a surrogate) and the noncharacter U+FFFF: each a U+FFFD.
  AppendXmlText("\x80|\xE2\x82|\xC0\xAF|\xED\xA0\x80|\xEF\xBF\xBF", &out);
  EXPECT_EQ(out,
            "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|"
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD");
  out.clear();
  AppendXmlText("é€😀", &out);
  EXPECT_EQ(out, "é€😀");
}

}  // namespace
}  // namespace sessions::gateway
