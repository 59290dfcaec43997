/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The little XML reading virtsh does itself, as virsh does: a snapshot's state,
 * parent and creation time for listings, a domain's disks for undefine --storage.
 */

#include <math.h>
#include <string.h>

#include <libxml/parser.h>

#include "shell.h"

/**
 * shell_xml_parse: parse a document the library returned, with an XPath context
 * on it; NULL (and no output) when it does not parse.
 */
xmlDocPtr shell_xml_parse(const char *xml, xmlXPathContextPtr *ret_ctxt)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "virtsh.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

    if (!doc)
        return NULL;
    *ret_ctxt = xmlXPathNewContext(doc);
    return doc;
}

/**
 * shell_xml_free: free what shell_xml_parse() returned.
 */
void shell_xml_free(xmlDocPtr doc, xmlXPathContextPtr ctxt)
{
    xmlXPathFreeContext(ctxt);
    xmlFreeDoc(doc);
}

/**
 * shell_xpath_string: the value of a string() expression, NULL when empty.
 */
char *shell_xpath_string(xmlXPathContextPtr ctxt, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctxt);
    char *ret = NULL;

    if (obj && obj->type == XPATH_STRING && obj->stringval && obj->stringval[0])
        ret = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return ret;
}

/**
 * shell_xpath_number: the value of a number() or count() expression, NaN if none.
 */
double shell_xpath_number(xmlXPathContextPtr ctxt, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctxt);
    double ret = obj && obj->type == XPATH_NUMBER ? obj->floatval : NAN;

    xmlXPathFreeObject(obj);
    return ret;
}
