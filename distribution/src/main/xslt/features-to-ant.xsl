<?xml version="1.0" encoding="UTF-8"?>
<!-- Turns features.xml into an Ant script that copies each named bundle (mvn:group/artifact/version)
     from the staging folder into system/. A bundle that is not staged fails the build. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:f="http://karaf.apache.org/xmlns/features/v1.6.0">
  <xsl:output method="xml" indent="yes"/>
  <xsl:template match="/">
    <project name="copy-bundles" default="copy">
      <target name="copy">
        <xsl:for-each select="//f:bundle">
          <xsl:variable name="url" select="normalize-space(.)"/>
          <xsl:variable name="rest" select="substring-after(substring-after($url, 'mvn:'), '/')"/>
          <xsl:variable name="artifact" select="substring-before($rest, '/')"/>
          <xsl:variable name="version" select="substring-after($rest, '/')"/>
          <xsl:choose>
            <xsl:when test="starts-with($url, 'mvn:') and $artifact != '' and $version != '' and not(contains($version, '/'))">
              <copy file="${{staging}}/{$artifact}-{$version}.jar" todir="${{system}}" failonerror="true"/>
            </xsl:when>
            <xsl:otherwise>
              <fail message="features.xml: bundle '{$url}' is not of the form mvn:group/artifact/version"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:for-each>
      </target>
    </project>
  </xsl:template>
</xsl:stylesheet>
